import pytest
from fasthtml.common import to_xml

from cardflow.fields import Checkbox, Number, Radio, Select, Text, TextArea, Url, ValidationError


def test_text_required_length_and_pattern():
    assert Text().parse("  hi ") == "hi"
    assert Text().parse("") == ""
    with pytest.raises(ValidationError, match="required"):
        Text(required=True).parse("   ")
    with pytest.raises(ValidationError, match="under 5 characters"):
        Text(max_length=5).parse("toolong")
    with pytest.raises(ValidationError, match="At least 3"):
        Text(min_length=3).parse("ab")
    with pytest.raises(ValidationError, match="expected form"):
        Text(pattern=r"[a-z]+").parse("ABC")
    assert Text().parse(["first", "last"]) == "last"


def test_textarea_keeps_newlines():
    assert TextArea().parse("a\r\nb\n") == "a\nb"
    html = to_xml(TextArea().widget("note", "<b>x</b>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<textarea" in html


def test_number_parsing_and_bounds():
    assert Number().parse("2.5") == 2.5
    assert Number(integer=True).parse("7") == 7
    with pytest.raises(ValidationError, match="whole number"):
        Number(integer=True).parse("7.5")
    with pytest.raises(ValidationError, match="Enter a number"):
        Number().parse("seven")
    with pytest.raises(ValidationError, match="smallest allowed value is 1"):
        Number(min=1).parse("0")
    with pytest.raises(ValidationError, match="largest allowed value is 10"):
        Number(max=10).parse("11")


def test_select_and_radio_accept_only_listed_values():
    field = Select(options=["a", ("b", "Bee")])
    assert field.parse("b") == "b" and field.display("b") == "Bee"
    with pytest.raises(ValidationError, match="listed options"):
        field.parse("c")
    radio = Radio(options=["x", "y"], required=True)
    with pytest.raises(ValidationError, match="required"):
        radio.parse(None)
    html = to_xml(radio.widget("pick", "y"))
    assert html.count('type="radio"') == 2 and "checked" in html


def test_checkbox():
    assert Checkbox().parse("on") is True and Checkbox().parse(None) is False
    with pytest.raises(ValidationError, match="Tick this box"):
        Checkbox(required=True).parse("")
    assert Checkbox().display(True) == "Yes"


def test_url_requires_scheme_and_host():
    assert Url().parse("https://example.com/a?b=1") == "https://example.com/a?b=1"
    for bad in ("example.com", "javascript:alert(1)", "ftp://x.org", "http://"):
        with pytest.raises(ValidationError, match="full address"):
            Url().parse(bad)


def test_widgets_mark_invalid_fields_for_screen_readers():
    html = to_xml(Text(required=True).widget("name", "", invalid=True, error_id="name-error"))
    assert 'aria-invalid="true"' in html and 'aria-describedby="name-error"' in html and "required" in html


def test_numbers_refuse_nan_infinity_and_unicode_digits():
    for bad in ("nan", "inf", "-inf", "1e309"):
        with pytest.raises(ValidationError, match="finite"):
            Number(min=0, max=10).parse(bad)
    with pytest.raises(ValidationError, match="whole number"):
        Number(integer=True).parse("²")


def test_parse_id():
    from cardflow.db import parse_id

    assert parse_id("12") == 12 and parse_id(" 7 ") == 7
    for bad in ("", None, "abc", "-1", "1.5", "²", "9223372036854775808", "1" * 19):
        assert parse_id(bad) is None, bad
