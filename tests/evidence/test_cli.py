"""``peerlearn export-package``: the same package as the button, for a named reader."""

from __future__ import annotations

from frictionless import validate

from peerlearn.cli import main


def test_export_package_as_an_evaluator(full_world, tmp_path, capsys):
    out = tmp_path / "package"
    code = main(
        [
            "export-package",
            "--programme",
            "reform-leaders",
            "--out",
            str(out),
            "--as",
            "evaluator@example.org",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert validate(out / "datapackage.json").valid
    printed = capsys.readouterr().out
    assert "data/people.csv" in printed and "data package written to" in printed
    assert not (out / "data" / "check_ins.csv").exists()


def test_export_package_refuses_a_participant_and_bad_names(full_world, tmp_path, capsys):
    args = ["export-package", "--programme", "reform-leaders", "--out", str(tmp_path / "p")]
    assert main([*args, "--as", "participant@example.org"]) == 2
    assert "neither a facilitator nor an evaluator" in capsys.readouterr().err
    assert main([*args, "--as", "nobody@example.org"]) == 2
    assert main(["export-package", "--programme", "nope", "--out", "x", "--as", "a@b.c"]) == 2
    assert not (tmp_path / "p").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    full = ["export-package", "--programme", "reform-leaders", "--out", str(tmp_path / "full")]
    assert main([*full, "--as", "facilitator@example.org"]) == 2
    assert "not an empty directory" in capsys.readouterr().err
