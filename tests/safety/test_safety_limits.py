"""End to end: budgets and stuck detection end a run with exit 1 and say why (CONTRACTS §1, §2, §6).

The real `agent run` CLI on Xvfb against the safety app, with fake planner and grounder servers
(harness in tests/safety/test_safety.py). Token numbers come from the `usage` blocks the fake
servers sent, which the tests record on their side.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.gui import describe
from tests.safety.test_safety import (
    DONE,
    GROUNDER_MODEL,
    PLANNER_MODEL,
    agent_args,
    assert_exit,
    click,
    fakes,
    reply,
    run_agent,
    safety_app,
    start_agent,
    the_run,
    wait_until,
)
from tests.xvfb import VirtualDisplay

pytestmark = pytest.mark.gui

FIELDS = ["the From field", "the Passenger field", "the Password field", "the Notes field"]
# Distinct actions, so that neither a repeat nor a ping-pong shows before a budget runs out.
ROUND = [click(target) for target in FIELDS]


def sent_tokens(usages: list[dict[str, int]]) -> tuple[int, int]:
    return (sum(u["prompt_tokens"] for u in usages), sum(u["completion_tokens"] for u in usages))


def assert_budget_failure(result: Any, runs_dir: Path, budget: str) -> dict[str, Any]:
    assert_exit(result, 1)
    run, _, _ = the_run(runs_dir)
    assert run["status"] == "failed", run
    assert run["reason"].startswith(f"budget: {budget}"), run["reason"]
    assert run["reason"] in result.stderr, describe(result)
    return run


def test_max_steps(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app, fakes([*ROUND, DONE], app) as fake:
        result = run_agent(
            agent_args(fake, runs_dir, "--approve", "never", "--max-steps", "3"),
            display=xvfb,
            cwd=tmp_path,
        )
    run = assert_budget_failure(result, runs_dir, "max_steps (3)")
    assert run["steps"] == 3
    assert len(fake.planner.requests) == 3


def test_max_time(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """The planner takes 0.6 s per reply; a 1 s budget runs out after a step or two."""
    runs_dir = tmp_path / "runs"
    with (
        safety_app(xvfb, tmp_path / "app") as app,
        fakes([*ROUND, *ROUND, DONE], app, planner_latency=0.6) as fake,
    ):
        result = run_agent(
            agent_args(fake, runs_dir, "--approve", "never", "--max-time", "1"),
            display=xvfb,
            cwd=tmp_path,
        )
    run = assert_budget_failure(result, runs_dir, "max_time (1 s)")
    assert 1 <= run["steps"] <= 3, run
    assert len(fake.planner.requests) == run["steps"]


@pytest.mark.parametrize("over", ["a long wait", "a slow planner"])
def test_max_time_ends_a_step_that_runs_over_it(over: str, xvfb: VirtualDisplay,
                                                tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    script = [reply({"name": "wait", "seconds": 30}), DONE] if over == "a long wait" else [DONE]
    with (
        safety_app(xvfb, tmp_path / "app") as app,
        fakes(script, app, planner_latency=30 if over == "a slow planner" else 0) as fake,
    ):
        result = run_agent(agent_args(fake, runs_dir, "--approve", "never", "--max-time", "2"),
                           display=xvfb, cwd=tmp_path, timeout=20)  # not the 30 s
    assert_budget_failure(result, runs_dir, "max_time (2 s)")
    _, steps, _ = the_run(runs_dir)
    assert steps[-1]["status"] == "stopped", steps[-1]
    assert len(fake.planner.requests) == 1


def test_time_spent_answering_the_approval_prompt_is_not_the_runs(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    runs_dir = tmp_path / "runs"
    with (
        safety_app(xvfb, tmp_path / "app") as app,
        fakes([click("the From field"), click("the Notes field"), DONE], app) as fake,
        start_agent(agent_args(fake, runs_dir, "--approve", "always", "--max-time", "2"),
                    display=xvfb, cwd=tmp_path, silent_stdin=True) as agent,
    ):
        for answered in range(3):  # two clicks, then done: each answered 1.5 s after it is asked
            wait_until(lambda n=answered: agent.output().count("approve? [y]es") > n, 30,
                       "the next prompt")
            time.sleep(1.5)
            assert agent.process.stdin is not None
            agent.process.stdin.write(b"y\n")
            agent.process.stdin.flush()
        result = agent.wait(30)
    assert result.returncode == 0, describe(result)
    run, _, _ = the_run(runs_dir)
    assert run["status"] == "done", run


def test_max_tokens_counts_the_servers_usage(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    limit = 2500  # a planner request here is ~1.1k prompt tokens, a grounder one ~0.1k
    with safety_app(xvfb, tmp_path / "app") as app, fakes([*ROUND, *ROUND, DONE], app) as fake:
        result = run_agent(
            agent_args(fake, runs_dir, "--approve", "never", "--max-tokens", str(limit)),
            display=xvfb,
            cwd=tmp_path,
        )
    run = assert_budget_failure(result, runs_dir, f"max_tokens ({limit})")
    planner_sent = sent_tokens(fake.planner.sent_usage)
    grounder_sent = sent_tokens(fake.grounder.sent_usage)
    usage = run["usage"]
    assert (
        usage["planner"]["prompt_tokens"],
        usage["planner"]["completion_tokens"],
    ) == planner_sent
    assert (
        usage["grounder"]["prompt_tokens"],
        usage["grounder"]["completion_tokens"],
    ) == grounder_sent
    total = sum(planner_sent) + sum(grounder_sent)
    assert re.search(rf"\b{total} used\b", run["reason"]), (total, run["reason"])
    assert total >= limit
    # It stopped at the first check over the limit, not later (each step: 1 planner request,
    # 1 grounder request).
    last_step = (
        fake.planner.sent_usage[-1]["total_tokens"] + fake.grounder.sent_usage[-1]["total_tokens"]
    )
    assert total - last_step < limit
    assert run["steps"] >= 2


PRICES = {PLANNER_MODEL: (10.0, 30.0), GROUNDER_MODEL: (1.0, 2.0)}  # $ per million tokens


def test_max_cost_with_prices_from_the_config_file(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    max_cost = 0.03
    config = tmp_path / "budget.toml"
    tables = "".join(
        f'\n[prices."{model}"]\ninput = {prompt}\noutput = {completion}\n'
        for model, (prompt, completion) in PRICES.items()
    )
    config.write_text(f"max_cost = {max_cost}\n{tables}", encoding="utf-8")
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app, fakes([*ROUND, *ROUND, DONE], app) as fake:
        result = run_agent(
            agent_args(fake, runs_dir, "--approve", "never", "--config", str(config)),
            display=xvfb,
            cwd=tmp_path,
        )
    run = assert_budget_failure(result, runs_dir, f"max_cost (${max_cost:g})")

    def cost(model: str, usages: list[dict[str, int]]) -> float:
        prompt, completion = sent_tokens(usages)
        price_in, price_out = PRICES[model]
        return (prompt * price_in + completion * price_out) / 1e6

    spent = cost(PLANNER_MODEL, fake.planner.sent_usage) + cost(
        GROUNDER_MODEL, fake.grounder.sent_usage
    )
    assert f"${spent:.4f} spent" in run["reason"], (spent, run["reason"])
    assert run["cost_usd"] == pytest.approx(spent)  # also in run.json, as a number
    assert spent >= max_cost
    assert run["settings"]["max_cost"] == max_cost
    assert run["steps"] >= 2


# ----------------------------------------------------------------------------- stuck

INERT = "the label that says Nothing happens here"


def test_stuck_on_an_inert_spot(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """Three clicks that change nothing: the 4th planner request is told it is stuck; a 4th
    such click ends the run."""
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app:
        with fakes([click(INERT)] * 8, app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir, "--approve", "never"), display=xvfb, cwd=tmp_path
            )
        state = app.settled_state()

    assert state["inert_clicks"] == 4, "every click landed on the label"
    texts = [request.text() for request in fake.planner.requests]
    assert len(texts) == 4, describe(result)
    assert not any("stuck" in text for text in texts[:3])
    assert "stuck" in texts[3] and "changed nothing 3 times" in texts[3]
    assert_exit(result, 1)
    run, steps, _ = the_run(runs_dir)
    assert run["status"] == "failed"
    assert run["reason"].startswith("stuck:"), run["reason"]
    assert len(steps) == 5 and steps[-1]["status"] == "error", steps[-1]


def test_stuck_ping_pong(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """A-B-A-B (the screen does change: focus moves): the 5th request is told; then exit 1."""
    runs_dir = tmp_path / "runs"
    ping_pong = [click("the From field"), click("the Passenger field")] * 5
    with safety_app(xvfb, tmp_path / "app") as app, fakes(ping_pong, app) as fake:
        result = run_agent(
            agent_args(fake, runs_dir, "--approve", "never"), display=xvfb, cwd=tmp_path
        )
    texts = [request.text() for request in fake.planner.requests]
    assert len(texts) == 5, describe(result)
    assert not any("stuck" in text for text in texts[:4])
    assert "stuck" in texts[4] and "alternate" in texts[4]
    assert_exit(result, 1)
    run, _, _ = the_run(runs_dir)
    assert run["status"] == "failed"
    assert run["reason"].startswith("stuck:") and "alternate" in run["reason"], run["reason"]


def test_a_varied_run_is_not_stuck(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """No false alarm: the same field typed into three times, each time changing the screen."""
    runs_dir = tmp_path / "runs"
    script = [
        reply({"name": "type", "text": text, "target": "the Notes field"})
        for text in ("one ", "two ", "three ")
    ]
    with safety_app(xvfb, tmp_path / "app") as app:
        with fakes([*script, DONE], app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir, "--approve", "never"), display=xvfb, cwd=tmp_path
            )
        state = app.settled_state()
    assert result.returncode == 0, describe(result)
    assert state["fields"]["Notes"] == "one two three "
    assert not any("stuck" in request.text() for request in fake.planner.requests)


def test_one_character_at_a_time_and_waiting_are_not_stuck(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    """Each repeat changes only a character's worth of pixels; waits are meant to change
    nothing. Neither is taken for a stuck run."""
    runs_dir = tmp_path / "runs"
    one_char = reply({"name": "type", "text": "W", "target": "the Notes field"})
    wait = reply({"name": "wait", "seconds": 0})
    with safety_app(xvfb, tmp_path / "app") as app:
        with fakes([one_char] * 4 + [wait] * 4 + [DONE], app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir, "--approve", "never"), display=xvfb, cwd=tmp_path
            )
        state = app.settled_state()
    assert result.returncode == 0, describe(result)
    assert state["fields"]["Notes"] == "WWWW"
    assert not any("stuck" in request.text() for request in fake.planner.requests)


def test_max_cost_without_a_price_for_a_model_in_use_is_refused(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    """A budget that would count nothing for the unpriced grounder is a configuration error."""
    model, (prompt, completion) = PLANNER_MODEL, PRICES[PLANNER_MODEL]
    config = tmp_path / "budget.toml"
    config.write_text(f'max_cost = 0.01\n[prices."{model}"]\ninput = {prompt}\n'
                      f"output = {completion}\n", encoding="utf-8")
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app, fakes([DONE], app) as fake:
        result = run_agent(
            agent_args(fake, runs_dir, "--approve", "never", "--config", str(config)),
            display=xvfb,
            cwd=tmp_path,
        )
    assert_exit(result, 2)
    assert f'[prices."{GROUNDER_MODEL}"]' in result.stderr, describe(result)
    assert fake.planner.requests == [] and not runs_dir.exists()
