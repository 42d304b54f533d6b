"""``MOTCUA_LANG``: the motcua command's help and errors in Vietnamese (default) or English."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import i18n
from app.cli.runner import build_parser, main
from app.core import language

ARGPARSE_ENGLISH = ("usage:", "options:", "show this help message", "positional arguments",
                    "the following arguments are required", "invalid choice", "expected one argument")
VIETNAMESE_LETTERS = re.compile(r"[À-ỹĐđ]")
# Proper names that stay Vietnamese in English text: a decision number, a field, a fixed signing reason.
PROPER_NAMES = ("766/QĐ-TTg", "Hộ tịch", "Số hoá hồ sơ TTHC")


def _vietnamese_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        for name in PROPER_NAMES:
            line = line.replace(name, "")
        if VIETNAMESE_LETTERS.search(line):
            lines.append(line)
    return lines


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


ALL_COMMANDS = list(_commands(build_parser()))


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(language.ENV_CONFIG_DIR, str(tmp_path / "config"))
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(language.ENV_LANG, raising=False)
    yield
    i18n.set_language(language.DEFAULT_LANGUAGE)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_discovers_every_command() -> None:
    names = {" ".join(p) for p in ALL_COMMANDS}
    assert {"receive", "catalog list", "dossier show", "sync", "keys set-secret"} <= names
    assert len(ALL_COMMANDS) > 40


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda p: " ".join(p) or "motcua")
def test_help_in_vietnamese_has_no_argparse_english(command: tuple[str, ...],
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(language.ENV_LANG, "vi")
    code, text = _run([*command, "--help"], capsys)
    assert code == 0
    assert "cách dùng: motcua" in text
    assert "in hướng dẫn này rồi thoát" in text
    for word in ARGPARSE_ENGLISH:
        assert word not in text, (command, word)


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda p: " ".join(p) or "motcua")
def test_help_in_english_is_english(command: tuple[str, ...], capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(language.ENV_LANG, "en")
    code, text = _run([*command, "--help"], capsys)
    assert code == 0
    assert "usage: motcua" in text and "show this help message and exit" in text
    untranslated = _vietnamese_lines(text)
    assert not untranslated, untranslated


@pytest.mark.parametrize(("argv", "vi_words", "en_words"), [
    (["receive"], "thiếu các tham số bắt buộc: --procedure",
     "the following arguments are required: --procedure"),
    (["catalog", "nope"], "lựa chọn không hợp lệ: 'nope'", "invalid choice: 'nope'"),
    (["dossier", "show", "X", "--data-dir"], "cần đúng một giá trị", "expected one argument"),
    (["catalog", "list", "--bogus"], "tham số không nhận ra: --bogus", "unrecognized arguments: --bogus"),
])
def test_usage_errors_in_both_languages(argv: list[str], vi_words: str, en_words: str,
                                        capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(language.ENV_LANG, "vi")
    code, text = _run(argv, capsys)
    assert code == 2 and text.startswith("Lỗi: lệnh không hợp lệ:") and vi_words in text
    for word in ARGPARSE_ENGLISH:
        assert word not in text
    monkeypatch.setenv(language.ENV_LANG, "en")
    code, text = _run(argv, capsys)
    assert code == 2 and text.startswith("Error: invalid command:") and en_words in text
    assert not VIETNAMESE_LETTERS.search(text), text


def test_application_error_follows_the_language(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(["init"], capsys)[0] == 0
    monkeypatch.setenv(language.ENV_LANG, "en")
    code, text = _run(["catalog", "show", "9.999999"], capsys)
    assert code == 1 and text.startswith("Error: ") and not VIETNAMESE_LETTERS.search(text), text
    monkeypatch.setenv(language.ENV_LANG, "vi")
    code, text = _run(["catalog", "show", "9.999999"], capsys)
    assert code == 1 and text.startswith("Lỗi: ") and VIETNAMESE_LETTERS.search(text), text


def test_saved_choice_then_env_then_unknown(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert language.current_language() == "vi"
    path = language.save_language("en")
    assert path.read_text(encoding="utf-8").strip() == "en"
    assert language.current_language() == "en"
    assert "usage: motcua" in _run(["receive", "--help"], capsys)[1]
    monkeypatch.setenv(language.ENV_LANG, "vi")
    assert language.current_language() == "vi"
    monkeypatch.setenv(language.ENV_LANG, "fr")
    assert language.current_language() == "vi"
    err = capsys.readouterr().err
    assert "MOTCUA_LANG='fr'" in err
    assert "không phải ngôn ngữ hỗ trợ" in err and "not a supported language" in err
    with pytest.raises(ValueError):
        language.save_language("fr")


@pytest.mark.parametrize(("lang", "present", "absent"), [
    ("vi", "cách dùng: motcua receive", "usage:"),
    ("en", "usage: motcua receive", "cách dùng"),
])
def test_real_motcua_command(lang: str, present: str, absent: str, tmp_path: Path) -> None:
    env = {**os.environ, "MOTCUA_LANG": lang, language.ENV_CONFIG_DIR: str(tmp_path / "config")}
    motcua = Path(sys.executable).with_name("motcua")
    argv = [str(motcua)] if motcua.exists() else [sys.executable, "-m", "app.cli"]
    done = subprocess.run([*argv, "receive", "--help"], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert present in done.stdout and absent not in done.stdout
    for word in ("options:", "show this help message") if lang == "vi" else ():
        assert word not in done.stdout
    done = subprocess.run([*argv, "receive"], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)
    assert done.returncode == 2
    expected = "thiếu các tham số bắt buộc" if lang == "vi" else "the following arguments are required"
    assert expected in done.stderr


# argparse messages that only a programmer's mistake in building a parser can show
PROGRAMMER_ERRORS = ("conflicting", "cannot merge", "'required' is", "invalid option string", "dest= is",
                     "invalid conflict_resolution", "mutually exclusive arguments must", ".__call__()",
                     "is not callable")


def test_vietnamese_catalogue_covers_argparse() -> None:
    """Every message argparse can show a user (in this Python) has a Vietnamese translation."""
    from app.core.messages import translations

    source = Path(argparse.__file__).read_text(encoding="utf-8")
    found = re.findall(r"""\b_\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""", source)
    messages = {ast_literal(m) for m in found}
    assert "usage: " in messages and "options" in messages
    catalogue = translations("vi", "argparse").messages
    missing = sorted(m for m in messages if m not in catalogue and not any(e in m for e in PROGRAMMER_ERRORS))
    assert not missing, missing


def ast_literal(text: str) -> str:
    import ast

    return str(ast.literal_eval(text))


def test_json_errors_stay_english_and_value_errors_follow_the_language(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv(language.ENV_LANG, "vi")
    code, text = _run(["dossier", "list", "--status", "x"], capsys)
    assert code == 2 and "trạng thái không hợp lệ 'x'" in text and "invalid" not in text
    code, text = _run(["receive", "--json"], capsys)
    assert code == 2
    assert json.loads(text) == {"error": "usage: the following arguments are required: --procedure"}
    monkeypatch.setenv(language.ENV_LANG, "en")
    code, text = _run(["dossier", "list", "--status", "x"], capsys)
    assert code == 2 and "invalid status 'x' (expected 1-10)" in text
