"""`catalog-sync token`: what it says when it cannot sign in."""
import io

from chalicelib import cli


def test_without_sign_in_configured_the_token_command_says_what_to_set(monkeypatch, capsys):
    monkeypatch.delenv("COGNITO_USER_POOL_ID", raising=False)
    monkeypatch.delenv("COGNITO_CLIENT_IDS", raising=False)
    assert cli.main(["token", "--user", "otto"], out=io.StringIO()) == cli.EXIT_FAILED
    assert "sign-in is not configured (set COGNITO_USER_POOL_ID and COGNITO_CLIENT_IDS)" in capsys.readouterr().err


def test_without_a_local_stack_the_token_command_says_how_to_start_one(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "LOCAL_STACK_FILE", tmp_path / "stack.json")
    assert cli.main(["--local", "token"], out=io.StringIO()) == cli.EXIT_FAILED
    assert "start it with `make run`" in capsys.readouterr().err
