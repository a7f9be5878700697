"""params.as_int, the one reader of whole-number parameters: every odd spelling is the
parameter's own ValidationError (a 409/400 with a message), never a ValueError (a 500)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.guangdong import params

pytestmark = pytest.mark.usefixtures("with_request_context")


@pytest.mark.parametrize("value, expected", [
    (None, 7), ("", 7), ("  ", 7), (3, 3), ("3", 3), (" 10 ", 10), ("１２", 12)])
def test_whole_numbers_and_defaults(value: object, expected: int) -> None:
    assert params.as_int({"n": value}, "n", 7, 0, 100) == expected


# "²" passes str.isdigit() but is no decimal digit: int() refuses it
@pytest.mark.parametrize("value", ["²", "1²", "x", "1.5", "-1", "101", True, 1.5, [1], "9" * 30])
def test_odd_values_are_a_validation_error(value: object) -> None:
    with pytest.raises(tk.ValidationError) as caught:
        params.as_int({"n": value}, "n", 7, 0, 100)
    assert "n" in caught.value.error_dict
