"""Lab names: one folder per name, and no name that could reach outside its folder."""

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from gdtui.serve.access import lab_name
from gdtui.serve.session import session_home


@given(st.text(max_size=40), st.text(max_size=40))
def test_two_names_share_a_folder_only_if_they_differ_in_capitals_alone(first: str, second: str) -> None:
    if lab_name(first) is not None and lab_name(first) == lab_name(second):
        assert first.lower() == second.lower()


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40) | st.text(max_size=40))
def test_a_name_is_a_plain_folder_name(username: str) -> None:
    name = lab_name(username)
    if name is not None:
        assert 1 <= len(name) <= 32
        assert name[0].isalnum() and "/" not in name and name not in (".", "..")
        assert name == name.lower()


def test_the_folder_of_a_name_is_that_name(tmp_path: Path) -> None:
    assert session_home(tmp_path, "a_b") == tmp_path / "a_b"
    assert session_home(tmp_path, "a_b").is_dir()
