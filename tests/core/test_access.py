"""The allow-list: emails and @domains map to editor or viewer, everyone else to no access."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.access import AccessSettings, role_for
from core.settings import get_settings

TEAM = AccessSettings(
    editors=("ana@example.com", "@ops.example.com"),
    viewers=("@example.com", "Bo@Partner.CN"),
)
"""Ana and the ops domain edit; the rest of example.com and one partner read."""


class TestRoles:
    def test_an_email_on_the_editor_list_is_an_editor(self) -> None:
        assert role_for("ana@example.com", TEAM) == "editor"

    def test_editor_wins_over_a_viewer_domain_that_also_matches(self) -> None:
        """ana@example.com is listed as editor and also falls under the viewer @example.com."""
        assert role_for("ana@example.com", TEAM) == "editor"
        assert role_for("carl@example.com", TEAM) == "viewer"

    def test_a_domain_entry_covers_every_address_of_that_domain(self) -> None:
        assert role_for("x@ops.example.com", TEAM) == "editor"
        assert role_for("someone@example.com", TEAM) == "viewer"

    def test_a_domain_entry_does_not_cover_subdomains_or_lookalikes(self) -> None:
        assert role_for("eve@evil.example.com", TEAM) is None
        assert role_for("eve@example.com.evil.io", TEAM) is None
        assert role_for("eve@notexample.com", TEAM) is None

    def test_a_single_email_entry_does_not_open_its_domain(self) -> None:
        assert role_for("bo@partner.cn", TEAM) == "viewer"
        assert role_for("other@partner.cn", TEAM) is None


class TestCase:
    def test_emails_match_whatever_their_case(self) -> None:
        assert role_for("ANA@Example.COM", TEAM) == "editor"
        assert role_for("  Carl@EXAMPLE.com ", TEAM) == "viewer"

    def test_entries_are_stored_lower_case(self) -> None:
        assert TEAM.viewers == ("@example.com", "bo@partner.cn")


class TestNoAccess:
    def test_someone_on_neither_list_gets_none(self) -> None:
        assert role_for("stranger@gmail.com", TEAM) is None

    def test_empty_lists_let_nobody_in(self) -> None:
        nobody = AccessSettings()
        assert [role_for(e, nobody) for e in ("ana@example.com", "x@y.com")] == [None, None]

    @pytest.mark.parametrize(
        "claim",
        [
            None,
            "",
            "example.com",
            "@example.com",
            "ana@",
            "a@b@example.com",
            "ana smith@example.com",
        ],
    )
    def test_a_missing_or_malformed_email_gets_none(self, claim: str | None) -> None:
        """'@example.com' is a domain entry, not an email: as a claim it must not match it."""
        assert role_for(claim, TEAM) is None


class TestSettings:
    def test_access_is_off_by_default_with_empty_lists(self) -> None:
        assert get_settings().access == AccessSettings(editors=(), viewers=())

    def test_lists_come_from_the_environment_as_json(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("KEYSTONE_ACCESS__EDITORS", '["A@X.com", "@y.com"]')
        monkeypatch.setenv("KEYSTONE_ACCESS__VIEWERS", '["@z.org"]')
        access = get_settings().access
        assert access.editors == ("a@x.com", "@y.com")
        assert role_for("b@y.com", access) == "editor" and role_for("c@z.org", access) == "viewer"

    @pytest.mark.parametrize("entry", ["example.com", "ana", "@localhost", "a b@x.com", "@"])
    def test_an_entry_that_is_neither_email_nor_domain_is_refused(self, entry: str) -> None:
        with pytest.raises(ValidationError, match="neither an email .* nor a domain"):
            AccessSettings(viewers=(entry,))

    def test_unknown_keys_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            AccessSettings(admins=("a@x.com",))  # type: ignore[call-arg]
