"""The family from the served model's id (CONTRACTS §5; issue 11 item 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from agent.cli.app import main
from agent.errors import UsageError
from agent.grounding.families import FAMILIES
from agent.grounding.grounder import ModelGrounder
from agent.grounding.model_ids import MODEL_ID_PATTERNS, family_for_model
from agent.run.compose import build_grounder
from agent.settings import Settings
from agent.testing.fake_server import FakeChatServer

# Published checkpoint ids (Hugging Face) and served names, each with the family it names.
IDS = [
    ("osunlp/UGround-V1-7B", "uground"), ("osunlp/UGround-V1-72B", "uground"),
    ("Salesforce/GTA1-7B-2507", "gta1"), ("Salesforce/GTA1-32B-2510", "opencua"),
    ("Qwen/Qwen2.5-VL-7B-Instruct", "qwen25vl"), ("zonghanHZH/ZonUI-3B", "qwen25vl"),
    ("Qwen/Qwen2-VL-7B-Instruct", "qwen2vl"), ("Qwen/Qwen-VL-Chat", "qwenvl"),
    ("OS-Copilot/OS-Atlas-Base-7B", "osatlas"), ("bytedance-research/UI-TARS-7B-DPO", "uitars"),
    ("ByteDance-Seed/UI-TARS-1.5-7B", "uitars15"), ("cckevinn/SeeClick", "seeclick"),
    ("xlangai/Aguvis-7B-720P", "aguvis"),
    ("Qwen/Qwen3-VL-8B-Instruct", "qwen3vl"), ("Qwen/Qwen3-VL-235B-A22B-Thinking", "qwen3vl"),
    ("xlangai/OpenCUA-32B", "opencua"), ("mlfoundations/Gelato-30B-A3B", "gelato"),
    ("inclusionAI/UI-Venus-Ground-7B", "uivenus"), ("inclusionAI/UI-Venus-1.5-8B", "uivenus15"),
    ("Hcompany/Holo1-7B", "holo15"), ("Hcompany/Holo1.5-7B", "holo15"),
    ("holo1-5-3b-20250915", "holo15"), ("Hcompany/Holo2-8B", "holo2"),
    ("holo2-4b-20251115", "holo2"), ("zai-org/GLM-4.5V", "glm45v"),
    ("zai-org/GLM-4.1V-9B-Thinking", "glm45v"), ("Tongyi-MAI/MAI-UI-8B", "maiui"),
    ("InfiX-ai/InfiGUI-G1-7B", "infigui"), ("OpenGVLab/InternVL3_5-8B", "internvl"),
    ("OpenGVLab/InternVL3-78B", "internvl"), ("gemini-2.5-flash", "gemini"),
    ("microsoft/Phi-Ground", "phiground"),
]


@pytest.mark.parametrize("model_id, family", IDS)
def test_published_ids_name_their_family(model_id: str, family: str) -> None:
    assert family_for_model(model_id) == family
    assert family_for_model(model_id.lower()) == family


def test_every_family_has_a_pattern_and_an_example() -> None:
    assert {family for family, _ in MODEL_ID_PATTERNS} == set(FAMILIES)
    assert {family for _, family in IDS} == set(FAMILIES)


@pytest.mark.parametrize("model_id", ["/models/ckpt/step-900", "default", "fake-model", "gpt-4o",
                                      "llava-v1.6"])
def test_ids_naming_no_family(model_id: str) -> None:
    assert family_for_model(model_id) is None


def _grounder(server: FakeChatServer, **settings: str) -> ModelGrounder:
    grounder = build_grounder(Settings(grounder_base_url=server.base_url, **settings))
    assert isinstance(grounder, ModelGrounder)
    return grounder


def test_without_grounder_the_listed_model_names_the_family(
        capsys: pytest.CaptureFixture[str]) -> None:
    with FakeChatServer(lambda request: "[5, 5]", model="Qwen/Qwen3-VL-8B-Instruct") as server:
        grounder = _grounder(server)
    assert grounder.family.name == "qwen3vl" and grounder.model == "Qwen/Qwen3-VL-8B-Instruct"
    assert capsys.readouterr().err.splitlines() == [
        "agent: grounder family qwen3vl, from the model id 'Qwen/Qwen3-VL-8B-Instruct' "
        "(--grounder to choose another)"]


def test_without_grounder_the_configured_model_names_the_family(
        capsys: pytest.CaptureFixture[str]) -> None:
    with FakeChatServer(lambda request: "[5, 5]", model="other") as server:
        grounder = _grounder(server, grounder_model="ByteDance-Seed/UI-TARS-1.5-7B")
    assert grounder.family.name == "uitars15"
    assert "grounder family uitars15" in capsys.readouterr().err


def test_a_given_family_that_the_id_contradicts_warns_once(
        capsys: pytest.CaptureFixture[str]) -> None:
    with FakeChatServer(lambda request: "[5, 5]", model="Qwen/Qwen3-VL-8B-Instruct") as server:
        grounder = _grounder(server, grounder="qwen25vl")
    assert grounder.family.name == "qwen25vl"  # the user's choice stands
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("agent: warning: the grounder model 'Qwen/Qwen3-VL-8B-Instruct' "
                           "looks like the qwen3vl family, not qwen25vl")


def test_a_given_family_the_id_agrees_with_or_does_not_name_is_silent(
        capsys: pytest.CaptureFixture[str]) -> None:
    for model in ("osunlp/UGround-V1-7B", "my-finetune"):
        with FakeChatServer(lambda request: "(5, 5)", model=model) as server:
            assert _grounder(server, grounder="uground").family.name == "uground"
    assert capsys.readouterr().err == ""


def test_an_id_naming_no_family_asks_for_grounder() -> None:
    with FakeChatServer(lambda request: "[5, 5]", model="/ckpt/step-900") as server, \
            pytest.raises(UsageError, match=r"set --grounder: the grounder model id "
                                            r"'/ckpt/step-900' names no known family \(known: "
                                            r"uground, gta1, .*qwen3vl.*, ocr\)") as info:
        _grounder(server)
    assert info.value.exit_code == 2


def test_agent_ground_warns_once_when_the_id_names_another_family(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "screen.png"
    Image.new("RGB", (1280, 800), "white").save(image)
    with FakeChatServer(lambda request: "[640, 400]", model="Qwen/Qwen3-VL-8B-Instruct") as server:
        code = main(["ground", "the OK button", "--image", str(image), "--grounder", "qwen25vl",
                     "--grounder-base-url", server.base_url, "--json"])
    assert code == 0
    captured = capsys.readouterr()
    [warning] = captured.err.splitlines()
    assert "looks like the qwen3vl family, not qwen25vl" in warning
    # read as qwen25vl (pixels of the 1288×812 resize), as the user asked
    assert json.loads(captured.out)["point"] == pytest.approx([640 * 1280 / 1288, 400 * 800 / 812])


def test_agent_ground_without_grounder_reads_the_served_models_format(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "screen.png"
    Image.new("RGB", (1280, 800), "white").save(image)
    with FakeChatServer(lambda request: '[{"point_2d": [500, 250]}]',
                        model="Qwen/Qwen3-VL-8B-Instruct") as server:
        code = main(["ground", "the OK button", "--image", str(image),
                     "--grounder-base-url", server.base_url, "--json"])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.err.count("grounder family qwen3vl") == 1
    assert json.loads(captured.out)["point"] == pytest.approx([640, 200])  # 0–1000, not pixels
