"""Settings: one name per setting as flag `--foo-bar`, env `AGENT_FOO_BAR`, TOML key `foo_bar`.

Precedence: flag > environment > config file (`--config`, else ./agent.toml) > default.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from actions.keys import MODIFIERS, parse_chord
from agent.errors import UsageError
from agent.safety.approval import RiskPolicy
from agent.safety.budget import ModelPrice

__all__ = [
    "DEFAULT_CONFIG",
    "OPENAI_BASE_URL",
    "Settings",
    "is_openai",
    "load_settings",
    "settings_with",
]

DEFAULT_CONFIG = Path("agent.toml")
HOTKEY_MODIFIERS = MODIFIERS - {"shift"}  # shift alone is no guard: capitals use it


class Settings(BaseSettings):
    """Everything `agent run` can be told. Field descriptions are the flags' help texts."""

    model_config = SettingsConfigDict(env_prefix="AGENT_", extra="forbid", validate_default=True)
    _toml_file: ClassVar[Path | None] = None

    planner_model: str | None = Field(None, description="planner model name (default: the "
                                      "server's only model, or gpt-4o on api.openai.com)")
    planner_base_url: str | None = Field(None, description="OpenAI-compatible endpoint of the "
                                         "planner, e.g. http://localhost:8000/v1")
    planner_api_key: SecretStr | None = Field(None, description="planner API key (default: "
                                              "OPENAI_API_KEY on OpenAI's API; EMPTY for a "
                                              "custom base URL)")
    planner_reasoning_effort: Literal["minimal", "low", "medium", "high"] | None = Field(
        None, description="reasoning_effort sent to a reasoning planner (default: the server's)")
    planner_structured: Literal["auto", "on", "off"] = Field(
        "auto", description="ask the planner for replies matching a JSON schema (response_format);"
        " auto: unless the server refuses it")
    planner_format: Literal["json", "uitars", "qwen25vl", "qwen3vl", "opencua", "aguvis"] = Field(
        "json", description="the planner's prompt and answer format: json (CONTRACTS §3), or a "
        "computer-use model's own, which points by itself: no grounder")
    grounder: str | None = Field(None, description="grounding model family (default: the one "
                                 "the grounder model's id names, else the offline ocr)")
    grounder_model: str | None = Field(None, description="grounder model name (default: the "
                                       "server's only model)")
    grounder_base_url: str | None = Field(None, description="OpenAI-compatible endpoint of the "
                                          "grounding model")
    grounder_api_key: SecretStr | None = Field(None, description="grounder API key (default: "
                                               "the planner's key on the planner's server, else "
                                               "OPENAI_API_KEY on OpenAI's API, else EMPTY)")
    grounders: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="grounder families declared by name (a TOML table "
        "[grounders.NAME] with extends, prompt, answer, space, axes, resize, temperature, "
        "max_tokens; see examples/grounders.toml)")
    refine: Literal["none", "zoom"] = Field(
        "none", description="zoom: ground again on a crop around the first answer (high-"
        "resolution screens)")
    refine_window: float = Field(0.5, gt=0, le=1, description="the zoom crop's share of each "
                                 "side of the screenshot (refine = zoom)")
    ocr_engine: Literal["auto", "tesseract", "rapidocr"] = Field(
        "auto", description="engine of the ocr grounder (auto: tesseract when installed, else "
        "rapidocr from the ocr extra)")
    min_pixels: int | None = Field(None, ge=1, description="override the family's smallest "
                                   "image size in pixels (families that resize)")
    max_pixels: int | None = Field(None, ge=1, description="override the family's largest "
                                   "image size in pixels (families that resize)")
    max_steps: int = Field(30, ge=1, description="stop after this many steps")
    max_time: float | None = Field(None, gt=0, description="stop after this many seconds")
    max_tokens: int | None = Field(None, ge=1, description="stop after this many tokens in all")
    max_cost: float | None = Field(None, gt=0, description="stop after spending this many US "
                                   "dollars (needs `prices` for the models)")
    prices: dict[str, ModelPrice] = Field(default_factory=dict, description="US dollars per "
                                          'million tokens per model, e.g. {"gpt-4o": {"input": '
                                          '2.5, "output": 10}} (a TOML table [prices."gpt-4o"])')
    monitor: int | None = Field(None, ge=1, description="monitor to drive, 1-based as mss lists "
                                "them (default: the primary)")
    runs_dir: Path = Field(Path("runs"), description="where run records go")
    dry_run: bool = Field(False, description="plan and ground, but perform nothing")
    approve: Literal["never", "risky", "always"] = Field(
        "risky", description="ask before acting: never, risky actions, or always")
    risk: RiskPolicy = Field(default_factory=RiskPolicy, description="what counts as risky "
                             "(JSON; a TOML table [risk] with risky_words, secret_words, "
                             "risky_hotkeys, ask_before_done)")
    kill_hotkey: str = Field("ctrl+alt+esc", description="global hotkey that stops the run")
    pause_hotkey: str = Field("ctrl+alt+p", description="global hotkey that pauses / resumes")
    on_takeover: Literal["pause", "stop", "ignore"] = Field(
        "pause", description="when you use the mouse or keyboard during a run")
    planner_max_pixels: int | None = Field(None, ge=3136, description="downscale what the "
                                           "planner sees to at most this many pixels")
    history: int = Field(2, ge=0, description="past steps whose screenshots the planner sees")
    timeout: float = Field(120.0, gt=0, description="seconds per model request")
    settle_timeout: float = Field(3.0, ge=0, description="longest wait for the screen to settle "
                                  "after an action (seconds)")
    verify: Literal["off", "warn", "strict"] | None = Field(
        None, description="after an action on a described target, check that the screen "
        "changed: warn records a warning, strict fails the step (default: warn for scripts and "
        "Desktop, off for agent run, whose planner sees the next screenshot)")

    @field_validator("planner_base_url", "grounder_base_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not url.lower().startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http:// or https:// URL "
                             "(e.g. http://localhost:8000/v1)")
        return url

    @field_validator("kill_hotkey", "pause_hotkey")
    @classmethod
    def _hotkey(cls, text: str) -> str:
        keys = parse_chord(text)  # ValueError names a part that is no key
        if not keys & HOTKEY_MODIFIERS:
            raise ValueError(f"{text!r} needs ctrl, alt or win: the run's own typing would set "
                             "it off")
        return text

    @model_validator(mode="after")
    def _hotkeys_differ(self) -> Settings:
        if parse_chord(self.kill_hotkey) == parse_chord(self.pause_hotkey):
            raise ValueError(f"kill_hotkey and pause_hotkey are the same keys "
                             f"({self.kill_hotkey!r}, {self.pause_hotkey!r})")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_file))
        return tuple(sources)

    def public(self) -> dict[str, Any]:
        """The settings as recorded in run.json: no API keys, not even masked."""
        data = self.model_dump(mode="json", exclude={"planner_api_key", "grounder_api_key"})
        return data

    def grounder_family(self) -> str:
        """The family in use: the configured one, else "auto" with an endpoint (the served
        model's id names it when the grounder is built, CONTRACTS §5), else ocr."""
        if self.grounder:
            return self.grounder
        return "auto" if self.grounder_base_url else "ocr"

    def planner_key(self) -> str | None:
        """The planner's key; None when there is neither a key nor a base URL (no planner)."""
        return _key(self.planner_api_key, self.planner_base_url)

    def grounder_key(self) -> str | None:
        """The grounder's own key, else the planner's when both are one server (CONTRACTS §1)."""
        if _explicit(self.grounder_api_key) is None and _origin(self.grounder_base_url) == _origin(
            self.planner_base_url
        ):
            return self.planner_key()
        return _key(self.grounder_api_key, self.grounder_base_url)


OPENAI_BASE_URL = "https://api.openai.com/v1"  # the planner's endpoint when none is set


def _explicit(key: SecretStr | None) -> str | None:
    return key.get_secret_value() if key is not None and key.get_secret_value() else None


def _origin(base_url: str | None) -> tuple[str, str, int | None]:
    """Scheme, host and port: what makes two base URLs one server (None is OpenAI's)."""
    parts = urllib.parse.urlsplit(base_url or OPENAI_BASE_URL)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is no number: compare as written
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def is_openai(base_url: str | None) -> bool:
    """Whether `base_url` is OpenAI's own API (None: the openai client's default, OpenAI's)."""
    return _origin(base_url) == _origin(OPENAI_BASE_URL)


def _key(explicit: SecretStr | None, base_url: str | None) -> str | None:
    """`explicit`, else OPENAI_API_KEY on OpenAI's API only: a local server or a third-party
    proxy never sees it; else EMPTY for a URL (vLLM and Ollama accept any key)."""
    given = _explicit(explicit)
    if given is not None:
        return given
    if is_openai(base_url) and os.environ.get("OPENAI_API_KEY"):
        return os.environ["OPENAI_API_KEY"]
    return "EMPTY" if base_url else None


def load_settings(flags: dict[str, Any], config: Path | None = None) -> Settings:
    """Settings from flags (only those given), environment and config file; UsageError if bad."""
    path = config if config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    if path is not None and not path.is_file():
        problem = "is not a file" if path.exists() else "does not exist"
        raise UsageError(f"config file {path} {problem}")
    Settings._toml_file = path
    try:
        return Settings(**flags)
    except ValidationError as exc:
        raise UsageError(_explain(exc, path)) from None
    except ValueError as exc:  # a TOML syntax error
        raise UsageError(f"cannot read config file {path}: {exc}") from None


def settings_with(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    """`settings` (default: environment and ./agent.toml) with `overrides` by name, validated;
    what was set stays set, what was a default stays one (the Python API's own defaults)."""
    if settings is None:
        return load_settings(overrides)
    if not overrides:
        return settings
    given = {name: getattr(settings, name) for name in settings.model_fields_set}
    return load_settings({**given, **overrides})


def _explain(exc: ValidationError, path: Path | None) -> str:
    error = exc.errors()[0]
    name = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        if "." in name:  # inside a table, given as a flag, a variable or in the file
            table = Settings.model_fields[name.split(".")[0]].annotation
            known = ", ".join(getattr(table, "model_fields", {})) or "none"
            return f"unknown setting {name!r} (known: {known})"
        where = f" in {path}" if path else ""
        return f"unknown setting {name!r}{where}"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    message = error["msg"].removeprefix("Value error, ")  # pydantic's wording for our checks
    if not name:  # a check of several settings together
        return f"invalid settings: {message}{more}"
    top = name.split(".")[0]
    places = f"--{top.replace('_', '-')} / AGENT_{top.upper()}" + (f" / {path}" if path else "")
    return f"invalid {name} ({places}): {message}{more}"
