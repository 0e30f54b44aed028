"""Settings (CONTRACTS §1): flag > AGENT_* environment > TOML file > default; keys never public."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.errors import UsageError
from agent.settings import Settings, load_settings
from tests.unit_helpers import clear_agent_env


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No host AGENT_* variables, no OPENAI_API_KEY, and a cwd without an agent.toml."""
    clear_agent_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.max_steps == 30
    assert settings.runs_dir == Path("runs")
    assert settings.approve == "risky"
    assert settings.history == 2
    assert settings.dry_run is False
    assert settings.max_time is None and settings.max_tokens is None
    assert settings.planner_base_url is None and settings.planner_api_key is None


def test_the_grounder_family_comes_from_the_model_id_with_an_endpoint_else_ocr() -> None:
    assert load_settings({}).grounder_family() == "ocr"
    endpoint = {"grounder_base_url": "http://gpu:8000/v1"}
    assert load_settings(endpoint).grounder_family() == "auto"  # the served model's id decides
    assert load_settings({"grounder": "uground"}).grounder_family() == "uground"


def test_config_file_overrides_defaults(tmp_path: Path) -> None:
    config = write(tmp_path / "mine.toml", 'max_steps = 7\napprove = "always"\ndry_run = true\n')
    settings = load_settings({}, config)
    assert (settings.max_steps, settings.approve, settings.dry_run) == (7, "always", True)


def test_environment_overrides_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / "mine.toml", "max_steps = 7\nhistory = 4\n")
    monkeypatch.setenv("AGENT_MAX_STEPS", "9")
    settings = load_settings({}, config)
    assert settings.max_steps == 9
    assert settings.history == 4  # not in the environment: the file still counts


def test_flag_overrides_environment_and_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "mine.toml", 'max_steps = 7\nplanner_model = "from-file"\n')
    monkeypatch.setenv("AGENT_MAX_STEPS", "9")
    monkeypatch.setenv("AGENT_PLANNER_MODEL", "from-env")
    settings = load_settings({"max_steps": 11}, config)
    assert settings.max_steps == 11
    assert settings.planner_model == "from-env"


def test_agent_toml_in_the_working_directory_is_found(tmp_path: Path) -> None:
    write(tmp_path / "agent.toml", 'planner_base_url = "http://localhost:8000/v1"\n')
    assert load_settings({}).planner_base_url == "http://localhost:8000/v1"


def test_agent_toml_is_looked_up_in_the_current_directory_at_load_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "project"
    other.mkdir()
    write(other / "agent.toml", "max_steps = 3\n")
    assert load_settings({}).max_steps == 30
    monkeypatch.chdir(other)
    assert load_settings({}).max_steps == 3


def test_an_explicit_config_wins_over_agent_toml(tmp_path: Path) -> None:
    write(tmp_path / "agent.toml", "max_steps = 3\n")
    config = write(tmp_path / "other.toml", "history = 5\n")
    settings = load_settings({}, config)
    assert settings.history == 5
    assert settings.max_steps == 30  # agent.toml is not read when --config is given


def test_a_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_settings({}, tmp_path / "nope.toml")


def test_a_directory_as_config_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a file"):
        load_settings({}, tmp_path)


def test_a_bad_value_names_every_place_it_can_come_from(tmp_path: Path) -> None:
    config = write(tmp_path / "mine.toml", 'max_steps = "lots"\n')
    with pytest.raises(UsageError) as info:
        load_settings({}, config)
    assert "invalid max_steps (--max-steps / AGENT_MAX_STEPS / " in str(info.value)
    assert "mine.toml" in str(info.value)


def test_an_unknown_key_in_the_config_file_is_named(tmp_path: Path) -> None:
    config = write(tmp_path / "mine.toml", "max_stepz = 3\n")
    with pytest.raises(UsageError) as info:
        load_settings({}, config)
    assert "max_stepz" in str(info.value)
    assert "mine.toml" in str(info.value)


def test_a_toml_syntax_error_is_a_usage_error(tmp_path: Path) -> None:
    config = write(tmp_path / "mine.toml", "max_steps = = 3\n")
    with pytest.raises(UsageError, match=r"mine\.toml"):
        load_settings({}, config)


@pytest.mark.parametrize("name, value", [
    ("max_steps", 0), ("approve", "sometimes"), ("history", -1), ("timeout", 0),
    ("planner_max_pixels", 10),
])
def test_a_bad_flag_value_names_the_flag_and_the_variable(name: str, value: object) -> None:
    with pytest.raises(UsageError) as info:
        load_settings({name: value})
    message = str(info.value)
    assert f"--{name.replace('_', '-')}" in message
    assert f"AGENT_{name.upper()}" in message


def test_a_bad_environment_value_names_the_flag_and_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGENT_MAX_TIME", "soon")
    with pytest.raises(UsageError) as info:
        load_settings({})
    assert "--max-time" in str(info.value) and "AGENT_MAX_TIME" in str(info.value)


def test_a_bad_config_value_names_the_flag_and_the_variable(tmp_path: Path) -> None:
    config = write(tmp_path / "mine.toml", 'monitor = "left"\n')
    with pytest.raises(UsageError) as info:
        load_settings({}, config)
    assert "--monitor" in str(info.value) and "AGENT_MONITOR" in str(info.value)


def test_other_agent_variables_in_the_environment_are_not_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGENT_SECRET_PASSWORD", "hunter2")  # secrets (§1) are not settings
    monkeypatch.setenv("AGENT_REQUIRE_GUI", "1")  # the CI flag
    assert load_settings({}).max_steps == 30


# ------------------------------------------------------------------ API keys


def test_planner_key_given_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    assert load_settings({"planner_api_key": "sk-planner"}).planner_key() == "sk-planner"


def test_planner_key_from_the_environment_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_PLANNER_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    assert load_settings({}).planner_key() == "sk-env"


def test_planner_key_falls_back_to_openai_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    assert load_settings({}).planner_key() == "sk-openai"


def test_planner_key_is_empty_for_a_custom_base_url_without_a_key() -> None:
    settings = load_settings({"planner_base_url": "http://localhost:8000/v1"})
    assert settings.planner_key() == "EMPTY"


def test_planner_key_is_none_without_base_url_or_key() -> None:
    assert load_settings({}).planner_key() is None


def test_grounder_key_is_the_planners_on_the_same_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    settings = load_settings({"planner_api_key": "sk-planner",
                              "planner_base_url": "http://GPU:8000/v1",
                              "grounder_base_url": "http://gpu:8000/v1/"})
    assert settings.grounder_key() == "sk-planner"


@pytest.mark.parametrize("grounder_url", ["http://gpu:8001/v1", "https://gpu:8000/v1",
                                          "http://other:8000/v1"])
def test_grounder_key_is_not_the_planners_on_another_server(grounder_url: str) -> None:
    settings = load_settings({"planner_api_key": "sk-planner",
                              "planner_base_url": "http://gpu:8000/v1",
                              "grounder_base_url": grounder_url})
    assert settings.grounder_key() == "EMPTY"


def test_grounder_key_on_openai_while_the_planner_is_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    settings = load_settings({"planner_api_key": "sk-planner",
                              "planner_base_url": "http://gpu:8000/v1",
                              "grounder_base_url": "https://api.openai.com/v1"})
    assert settings.grounder_key() == "sk-openai"


def test_grounder_key_given_explicitly_wins() -> None:
    settings = load_settings({"planner_api_key": "sk-planner", "grounder_api_key": "sk-ground"})
    assert settings.grounder_key() == "sk-ground"


def test_openai_api_key_never_goes_to_a_custom_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    settings = load_settings({"planner_base_url": "http://localhost:8000/v1",
                              "grounder_base_url": "https://proxy.example/api.openai.com/v1"})
    assert settings.planner_key() == "EMPTY"
    assert settings.grounder_key() == "EMPTY"


def test_openai_api_key_goes_to_openai_given_as_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    settings = load_settings({"planner_base_url": "https://api.openai.com/v1"})
    assert settings.planner_key() == "sk-openai"


def test_grounder_key_is_empty_for_a_custom_base_url_without_a_key() -> None:
    assert load_settings({"grounder_base_url": "http://gpu:8000/v1"}).grounder_key() == "EMPTY"


def test_public_settings_never_contain_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_GROUNDER_API_KEY", "sk-ground-secret")
    settings = load_settings({"planner_api_key": "sk-planner-secret", "max_steps": 5})
    public = settings.public()
    assert public["max_steps"] == 5
    assert "planner_api_key" not in public and "grounder_api_key" not in public
    assert "sk-planner-secret" not in repr(public) and "sk-ground-secret" not in repr(public)
    assert "sk-planner-secret" not in repr(settings) and "sk-ground-secret" not in repr(settings)


def test_public_settings_are_json_ready() -> None:
    import json

    public = load_settings({"runs_dir": Path("/tmp/runs")}).public()
    assert json.loads(json.dumps(public))["runs_dir"] == "/tmp/runs"
    assert set(public) == set(Settings.model_fields) - {"planner_api_key", "grounder_api_key"}


def test_an_unknown_key_inside_a_table_lists_the_known_ones() -> None:
    with pytest.raises(UsageError) as info:
        load_settings({"risk": {"risky_wrds": []}})
    assert str(info.value).startswith("unknown setting 'risk.risky_wrds' (known: risky_words")


@pytest.mark.parametrize(("flags", "message"), [
    ({"pause_hotkey": "a"}, "'a' needs ctrl, alt or win"),
    ({"kill_hotkey": "shift+k"}, "'shift+k' needs ctrl, alt or win"),
    ({"kill_hotkey": "ctrl+alt+banana"}, "unknown key 'banana'"),
    ({"kill_hotkey": "alt+ctrl+p"}, "kill_hotkey and pause_hotkey are the same keys"),
])
def test_hotkeys_the_run_could_set_off_itself_are_refused(flags: dict[str, str],
                                                          message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        load_settings(flags)


def test_hotkeys_take_the_action_spaces_key_names() -> None:
    from agent.backends.hotkeys import pynput_hotkey

    settings = load_settings({"kill_hotkey": "Ctrl+Alt+Escape", "pause_hotkey": "win+F9"})
    assert pynput_hotkey(settings.kill_hotkey) == "<alt>+<ctrl>+<esc>"
    assert pynput_hotkey(settings.pause_hotkey) == "<cmd>+<f9>"
