"""The action space (CONTRACTS §4): parsing, keys, user actions, and what each built-in performs."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import Field

from actions import (
    Action,
    ActionContext,
    ActionRegistry,
    AskUser,
    Click,
    Done,
    DoubleClick,
    Drag,
    DryRunExecutor,
    Fail,
    Hotkey,
    InputEvent,
    Move,
    Point,
    Press,
    RightClick,
    Scroll,
    Type,
    Wait,
    builtin_registry,
    default_registry,
    normalize_key,
)
from prompts import render

# ------------------------------------------------------------------ parsing the built-ins

BUILTIN_SIGNATURES = {
    # name: (model, required arguments, {optional argument: default})
    "click": (Click, {"target"}, {"button": "left"}),
    "double_click": (DoubleClick, {"target"}, {}),
    "right_click": (RightClick, {"target"}, {}),
    "move": (Move, {"target"}, {}),
    "drag": (Drag, {"source", "destination"}, {}),
    "scroll": (Scroll, {"direction"}, {"amount": 3, "target": None}),
    "type": (Type, {"text"}, {"target": None, "enter": False}),
    "press": (Press, {"keys"}, {}),
    "hotkey": (Hotkey, {"keys"}, {}),
    "wait": (Wait, {"seconds"}, {}),
    "ask_user": (AskUser, {"question"}, {}),
    "done": (Done, set(), {"answer": None}),
    "fail": (Fail, {"reason"}, {}),
}

SAMPLE_VALUES: dict[str, Any] = {
    "target": "the OK button", "source": "file.txt", "destination": "the Trash icon",
    "direction": "down", "text": "Tokyo", "keys": ["ctrl", "s"], "seconds": 1.5,
    "question": "What is the code?", "reason": "no network",
}


def test_the_builtin_registry_holds_exactly_the_contract_actions() -> None:
    assert {spec.name for spec in builtin_registry()} == set(BUILTIN_SIGNATURES)
    assert {spec.name for spec in default_registry} >= set(BUILTIN_SIGNATURES)


@pytest.mark.parametrize("name", sorted(BUILTIN_SIGNATURES))
def test_each_builtin_has_the_contract_argument_names_and_defaults(name: str) -> None:
    model, required, defaults = BUILTIN_SIGNATURES[name]
    fields = model.model_fields
    assert set(fields) == required | set(defaults)
    assert {arg for arg, info in fields.items() if info.is_required()} == required
    for arg, default in defaults.items():
        assert fields[arg].default == default, arg


@pytest.mark.parametrize("name", sorted(BUILTIN_SIGNATURES))
def test_each_builtin_parses_from_its_required_arguments(name: str) -> None:
    model, required, defaults = BUILTIN_SIGNATURES[name]
    action = builtin_registry().parse({"name": name, **{a: SAMPLE_VALUES[a] for a in required}})
    assert type(action) is model
    for arg in required:
        assert getattr(action, arg) == SAMPLE_VALUES[arg]
    for arg, default in defaults.items():
        assert getattr(action, arg) == default
    assert action.to_json()["name"] == name


def test_parse_keeps_optional_arguments_given() -> None:
    registry = builtin_registry()
    click = registry.parse({"name": "click", "target": "Save", "button": "right"})
    assert isinstance(click, Click) and click.button == "right"
    scroll = registry.parse({"name": "scroll", "direction": "up", "amount": 7, "target": "list"})
    assert isinstance(scroll, Scroll)
    assert (scroll.direction, scroll.amount, scroll.target) == ("up", 7, "list")
    typed = registry.parse({"name": "type", "text": "hi", "target": "box", "enter": True})
    assert isinstance(typed, Type) and typed.enter is True and typed.target == "box"
    done = registry.parse({"name": "done", "answer": "42"})
    assert isinstance(done, Done) and done.answer == "42"


def test_unknown_action_error_names_it_and_lists_the_known_ones() -> None:
    with pytest.raises(ValueError) as info:
        builtin_registry().parse({"name": "teleport", "target": "x"})
    message = str(info.value)
    assert "'teleport'" in message
    assert "click" in message and "fail" in message


def test_missing_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match='needs a "name"'):
        builtin_registry().parse({"target": "the OK button"})


def test_missing_argument_error_names_action_and_argument() -> None:
    with pytest.raises(ValueError) as info:
        builtin_registry().parse({"name": "drag", "source": "a"})
    message = str(info.value)
    assert "drag" in message and "destination" in message
    assert "source" not in message.split(":", 1)[1]  # only what is wrong is listed


def test_extra_argument_is_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="colour"):
        builtin_registry().parse({"name": "click", "target": "OK", "colour": "red"})


@pytest.mark.parametrize("data, argument", [
    ({"name": "click", "target": "OK", "button": "side"}, "button"),
    ({"name": "scroll", "direction": "sideways"}, "direction"),
    ({"name": "scroll", "direction": "up", "amount": 0}, "amount"),
    ({"name": "wait", "seconds": -1}, "seconds"),
    ({"name": "wait", "seconds": 3600}, "seconds"),
    ({"name": "press", "keys": []}, "keys"),
    ({"name": "type", "text": "x", "enter": "maybe"}, "enter"),
    ({"name": "click", "target": {"x": 1}}, "target"),
    ({"name": "click", "target": {"x": 1, "y": 2, "z": 3}}, "target"),
])
def test_bad_argument_value_error_names_the_argument(data: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError) as info:
        builtin_registry().parse(data)
    message = str(info.value)
    assert message.startswith(f"invalid arguments for {data['name']}")
    assert argument in message


def test_target_can_be_a_description_or_a_point() -> None:
    registry = builtin_registry()
    described = registry.parse({"name": "click", "target": "the OK button"})
    pointed = registry.parse({"name": "click", "target": {"x": 12.5, "y": 40}})
    assert described.targets() == {"target": "the OK button"}
    assert pointed.targets() == {"target": Point(x=12.5, y=40.0)}
    assert pointed.to_json()["target"] == {"x": 12.5, "y": 40.0}


def test_targets_lists_only_the_targets_that_are_set() -> None:
    registry = builtin_registry()
    assert registry.parse({"name": "scroll", "direction": "down"}).targets() == {}
    assert registry.parse({"name": "type", "text": "x"}).targets() == {}
    drag = registry.parse({"name": "drag", "source": "a", "destination": {"x": 3, "y": 4}})
    assert drag.targets() == {"source": "a", "destination": Point(x=3, y=4)}


# ------------------------------------------------------------------ keys


@pytest.mark.parametrize("written, expected", [
    ("Enter", "enter"), ("Return", "enter"), ("RETURN", "enter"), ("Ctrl", "ctrl"),
    ("Control", "ctrl"), ("cmd", "command"), ("Esc", "escape"), ("Del", "delete"),
    ("Page Up", "pageup"), ("page_down", "pagedown"), ("ArrowLeft", "left"), ("F5", "f5"),
    ("super", "win"), ("A", "a"), ("7", "7"), ("/", "/"), ("spacebar", "space"),
])
def test_key_aliases_are_normalised_to_pyautogui_names(written: str, expected: str) -> None:
    assert normalize_key(written) == expected


@pytest.mark.parametrize("key", ["hyper", "ctrl+s", "", "enterr", "f99", "é"])
def test_unknown_keys_are_rejected_with_the_key_named(key: str) -> None:
    with pytest.raises(ValueError, match="unknown key"):
        normalize_key(key)


def test_press_and_hotkey_normalise_their_keys_and_reject_unknown_ones() -> None:
    registry = builtin_registry()
    press = registry.parse({"name": "press", "keys": ["Tab", "Return"]})
    assert isinstance(press, Press) and press.keys == ["tab", "enter"]
    hotkey = registry.parse({"name": "hotkey", "keys": ["Control", "Shift", "T"]})
    assert isinstance(hotkey, Hotkey) and hotkey.keys == ["ctrl", "shift", "t"]
    with pytest.raises(ValueError, match="keys") as info:
        registry.parse({"name": "hotkey", "keys": ["ctrl", "hyperspace"]})
    assert "hyperspace" in str(info.value)


def test_press_accepts_a_single_key_as_a_list_of_one() -> None:
    press = builtin_registry().parse({"name": "press", "keys": "enter"})
    assert isinstance(press, Press) and press.keys == ["enter"]
    assert Press(keys="Escape").keys == ["escape"]  # type: ignore[arg-type]


def test_a_hotkey_written_as_one_chord_is_its_keys() -> None:
    hotkey = builtin_registry().parse({"name": "hotkey", "keys": "ctrl+shift+T"})
    assert isinstance(hotkey, Hotkey) and hotkey.keys == ["ctrl", "shift", "t"]
    assert Hotkey(keys="+").keys == ["+"]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"keys pressed together are a hotkey"):
        builtin_registry().parse({"name": "press", "keys": "ctrl+a"})


# ------------------------------------------------------------------ user actions


class OpenUrl(Action):
    """Open a web address in the browser."""

    name: ClassVar[str] = "open_url"
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    url: str
    target: str | Point | None = None
    new_tab: bool = True


def perform_open_url(action: OpenUrl, ctx: ActionContext) -> str:
    point = ctx.point_or_none()
    if point is not None:
        ctx.executor.click(*point)
    ctx.executor.hotkey(["ctrl", "l"])
    ctx.executor.type_text(action.url, ctx.should_stop)
    ctx.executor.press("enter")
    return f"opened {action.url}"


def _registry_with_open_url() -> ActionRegistry:
    registry = default_registry.copy()
    registry.register(OpenUrl, perform_open_url)
    return registry


def test_a_user_action_registered_from_outside_is_parsed() -> None:
    registry = _registry_with_open_url()
    action = registry.parse({"name": "open_url", "url": "https://example.org"})
    assert isinstance(action, OpenUrl)
    assert action.url == "https://example.org" and action.new_tab is True
    with pytest.raises(ValueError, match="url"):
        registry.parse({"name": "open_url"})


def test_a_user_action_is_performed_on_a_dry_run_executor() -> None:
    registry = _registry_with_open_url()
    action = registry.parse({"name": "open_url", "url": "https://example.org", "target": "bar"})
    executor = DryRunExecutor()
    outcome = registry.perform(action, ActionContext(executor, points={"target": (300, 40)}))
    assert outcome == "opened https://example.org"
    assert executor.events == [
        InputEvent("click", (300, 40, "left", 1)),
        InputEvent("hotkey", (("ctrl", "l"),)),
        InputEvent("type", ("https://example.org",)),
        InputEvent("press", ("enter",)),
    ]


def test_a_user_action_appears_in_the_planner_system_prompt() -> None:
    registry = _registry_with_open_url()
    prompt = render("planner_system.j2", actions=list(registry))
    assert 'open_url(url, target=null, new_tab=true): Open a web address in the browser.' in prompt
    without = render("planner_system.j2", actions=list(default_registry))
    assert "open_url" not in without


def test_the_planner_prompt_lists_every_builtin_with_its_signature() -> None:
    prompt = render("planner_system.j2", actions=list(builtin_registry()))
    for spec in builtin_registry():
        assert f"- {spec.signature()}: {spec.description()}" in prompt
    assert 'click(target, button="left")' in prompt
    assert "drag(source, destination)" in prompt


def test_a_user_action_with_a_default_factory_renders_in_the_prompt() -> None:
    # BUG (actions/base.py ActionSpec.signature): json.dumps(info.default) on a field with
    # default_factory dumps PydanticUndefined and raises TypeError while rendering the prompt.
    class Tag(Action):
        """Tag the selection."""

        name: ClassVar[str] = "tag"
        labels: list[str] = Field(default_factory=list)

    registry = builtin_registry()
    registry.register(Tag, lambda action, ctx: None)
    assert registry.spec("tag").signature() == "tag(labels=[])"
    assert "tag(labels=[])" in render("planner_system.j2", actions=list(registry))


def test_the_registry_decorator_registers_too() -> None:
    registry = builtin_registry()

    @registry.action(lambda action, ctx: "beeped")
    class Beep(Action):
        """Beep."""

        name: ClassVar[str] = "beep"

    assert registry.perform(registry.parse({"name": "beep"}), ActionContext(DryRunExecutor())) \
        == "beeped"


def test_register_rejects_a_model_without_an_identifier_name() -> None:
    class Nameless(Action):
        pass

    class BadName(Action):
        name: ClassVar[str] = "open url"

    with pytest.raises(ValueError, match="name"):
        builtin_registry().register(Nameless, lambda a, c: None)
    with pytest.raises(ValueError, match="name"):
        builtin_registry().register(BadName, lambda a, c: None)


def test_register_rejects_target_fields_that_are_not_fields() -> None:
    class Aim(Action):
        name: ClassVar[str] = "aim"
        target_fields: ClassVar[tuple[str, ...]] = ("where",)

    with pytest.raises(ValueError, match="where"):
        builtin_registry().register(Aim, lambda a, c: None)


def test_registry_copy_is_isolated_both_ways() -> None:
    original = builtin_registry()
    copy = original.copy()
    copy.register(OpenUrl, perform_open_url)
    assert "open_url" in copy and "open_url" not in original
    assert len(copy) == len(original) + 1

    class Beep(Action):
        name: ClassVar[str] = "beep"

    original.register(Beep, lambda a, c: None)
    assert "beep" in original and "beep" not in copy


def test_builtin_registry_returns_a_fresh_registry_each_time() -> None:
    first = builtin_registry()
    first.register(OpenUrl, perform_open_url)
    assert "open_url" not in builtin_registry()
    assert "open_url" not in default_registry


# ------------------------------------------------------------------ performing the built-ins


def perform(data: dict[str, Any], points: dict[str, tuple[int, int]] | None = None,
            **ctx: Any) -> tuple[list[InputEvent], str | None]:
    registry = builtin_registry()
    executor = DryRunExecutor()
    outcome = registry.perform(registry.parse(data), ActionContext(executor, points or {}, **ctx))
    return executor.events, outcome


def test_click_clicks_the_point_with_the_button() -> None:
    events, _ = perform({"name": "click", "target": "OK"}, {"target": (10, 20)})
    assert events == [InputEvent("click", (10, 20, "left", 1))]
    events, _ = perform({"name": "click", "target": "OK", "button": "middle"}, {"target": (5, 6)})
    assert events == [InputEvent("click", (5, 6, "middle", 1))]


def test_double_click_clicks_twice_with_the_left_button() -> None:
    events, _ = perform({"name": "double_click", "target": "icon"}, {"target": (7, 8)})
    assert events == [InputEvent("click", (7, 8, "left", 2))]


def test_right_click_uses_the_right_button() -> None:
    events, _ = perform({"name": "right_click", "target": "icon"}, {"target": (70, 80)})
    assert events == [InputEvent("click", (70, 80, "right", 1))]


def test_move_moves_without_clicking() -> None:
    events, _ = perform({"name": "move", "target": "menu"}, {"target": (100, 200)})
    assert events == [InputEvent("move", (100, 200))]


def test_drag_goes_from_source_to_destination() -> None:
    events, _ = perform({"name": "drag", "source": "a", "destination": "b"},
                        {"source": (1, 2), "destination": (300, 400)})
    assert events == [InputEvent("drag", ((1, 2), (300, 400)))]


def test_scroll_without_target_scrolls_where_the_pointer_is() -> None:
    events, _ = perform({"name": "scroll", "direction": "down"})
    assert events == [InputEvent("scroll", ("down", 3, None))]


def test_scroll_with_target_scrolls_over_it() -> None:
    events, _ = perform({"name": "scroll", "direction": "left", "amount": 5, "target": "list"},
                        {"target": (640, 400)})
    assert events == [InputEvent("scroll", ("left", 5, (640, 400)))]


def test_type_without_target_only_types() -> None:
    events, _ = perform({"name": "type", "text": "Zürich 東京"})
    assert events == [InputEvent("type", ("Zürich 東京",))]


def test_type_with_target_clicks_it_first_then_types() -> None:
    events, _ = perform({"name": "type", "text": "Tokyo", "target": "To"}, {"target": (50, 60)})
    assert events == [InputEvent("click", (50, 60, "left", 1)), InputEvent("type", ("Tokyo",))]


def test_type_with_enter_presses_enter_after_typing() -> None:
    events, _ = perform({"name": "type", "text": "query", "target": "search", "enter": True},
                        {"target": (5, 5)})
    assert events == [InputEvent("click", (5, 5, "left", 1)), InputEvent("type", ("query",)),
                      InputEvent("press", ("enter",))]


def test_type_with_enter_does_not_press_enter_once_stopped() -> None:
    events, _ = perform({"name": "type", "text": "q", "enter": True}, should_stop=lambda: True)
    assert InputEvent("press", ("enter",)) not in events


def test_press_presses_several_keys_one_after_another() -> None:
    events, _ = perform({"name": "press", "keys": ["Tab", "tab", "Return"]})
    assert events == [InputEvent("press", ("tab",)), InputEvent("press", ("tab",)),
                      InputEvent("press", ("enter",))]


def test_press_stops_between_keys_when_asked() -> None:
    events, _ = perform({"name": "press", "keys": ["tab", "tab"]}, should_stop=lambda: True)
    assert events == []


def test_hotkey_presses_the_keys_together() -> None:
    events, _ = perform({"name": "hotkey", "keys": ["Ctrl", "Shift", "t"]})
    assert events == [InputEvent("hotkey", (("ctrl", "shift", "t"),))]


def test_wait_waits_and_sends_no_input() -> None:
    import time

    start = time.monotonic()
    events, outcome = perform({"name": "wait", "seconds": 0.05})
    assert events == [] and outcome is None
    assert time.monotonic() - start >= 0.05


def test_wait_returns_early_when_stopped() -> None:
    import time

    start = time.monotonic()
    perform({"name": "wait", "seconds": 30}, should_stop=lambda: True)
    assert time.monotonic() - start < 5


def test_ask_user_returns_the_answer_for_the_next_prompt() -> None:
    asked: list[str] = []

    def answer(question: str) -> str:
        asked.append(question)
        return "424242"

    events, outcome = perform({"name": "ask_user", "question": "The SMS code?"}, ask_user=answer)
    assert asked == ["The SMS code?"]
    assert events == [] and outcome is not None and "424242" in outcome


def test_ask_user_without_a_person_raises() -> None:
    with pytest.raises(RuntimeError, match="no person"):
        perform({"name": "ask_user", "question": "?"})


@pytest.mark.parametrize("data", [{"name": "done", "answer": "x"}, {"name": "fail", "reason": "y"}])
def test_done_and_fail_perform_no_input(data: dict[str, Any]) -> None:
    events, outcome = perform(data)
    assert events == [] and outcome is None
