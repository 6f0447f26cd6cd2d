"""Each kind of organisation is offered only the pages it can use."""

from __future__ import annotations

from accord.web.ui import menu


def _hrefs(kind: str) -> set[str]:
    return {link.href for link in menu.menu_for(kind)}


def test_menus_follow_the_role() -> None:
    assert "/ui/cases" in _hrefs("provider")
    assert "/ui/cases" not in _hrefs("authority") | _hrefs("civil_society")  # no empty review console
    assert "/ui/rights" not in _hrefs("civil_society")  # no provider profile
    assert "/ui/transparency" not in _hrefs("coordinator") | _hrefs("civil_society")
    assert all("/ui/settings" in _hrefs(kind) for kind in menu.MENUS)


def test_the_current_page_is_the_longest_matching_link() -> None:
    links = menu.menu_for("authority")
    assert menu.current(links, "/ui/notices/new") == "/ui/notices/new"
    assert menu.current(links, "/ui/") == "/ui/"
    assert menu.current(links, "/ui/notices/ntc_1") is None
