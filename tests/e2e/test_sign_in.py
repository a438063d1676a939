import pytest

from accounts.enums import Role

from ..factories import MembershipFactory, OrganisationFactory, UserFactory
from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice():
    user = UserFactory(email="alice@example.org", first_name="Alice")
    MembershipFactory(user=user, organisation=OrganisationFactory(name="here 4U"), role=Role.COORDINATOR)
    return user


def test_coordinator_signs_in_and_reaches_the_admin(page, visit, screenshot, alice):
    visit("/")
    page.get_by_role("link", name="Sign in").first.click()
    page.wait_for_url("**/accounts/login/")
    visit("/accounts/login/")
    assert page.get_by_role("link", name="sign up").count() == 0
    screenshot("sign-in")

    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

    assert page.get_by_role("heading", name="Signed in as Alice").is_visible()
    assert page.locator("li", has_text="here 4U").is_visible()
    page.get_by_role("link", name="Open the administration").click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("link", name="Programmes").is_visible()


def test_wrong_password_is_refused_with_a_clear_message(page, visit, alice):
    visit("/accounts/login/")

    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Sign in").click()

    assert page.get_by_text("The email address and/or password you specified are not correct.").is_visible()
    assert page.url.endswith("/accounts/login/")


def test_language_switcher_changes_the_page_language(page, visit):
    visit("/")

    page.get_by_label("Language").select_option("sv")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("html").get_attribute("lang") == "sv"


def test_a_coordinator_is_asked_to_set_up_a_second_factor(page, visit, screenshot, settings, alice):
    settings.KVARTER_MFA_REQUIRED = True
    visit("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")

    if "/reauthenticate/" in page.url:  # setting up a factor asks for the password once more
        check_accessibility(page)
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state("networkidle")

    assert page.url.endswith("/accounts/2fa/totp/activate/")
    check_accessibility(page)
    assert page.get_by_label("Authenticator code").is_visible()
    assert page.get_by_role("img").count() >= 1  # the QR code to scan
    screenshot("mfa-setup", full_page=True)


def test_a_user_sees_where_they_are_signed_in_and_signs_the_rest_out(
    page, visit, screenshot, browser, live_server, alice
):
    # Alice is also signed in on another computer.
    other = browser.new_context(base_url=live_server.url)
    elsewhere = other.new_page()
    for tab in (elsewhere, page):
        tab.goto(f"{live_server.url}/accounts/login/")
        tab.get_by_label("Email").fill("alice@example.org")
        tab.get_by_label("Password").fill("correct horse battery")
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url("**/")

    page.get_by_role("link", name="Your account").click()
    page.wait_for_url("**/accounts/sessions/")
    check_accessibility(page)
    assert page.locator("tbody tr").count() == 2
    screenshot("account-sessions", full_page=True)

    page.get_by_role("button", name="Sign out everywhere else").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr").count() == 1

    elsewhere.goto(f"{live_server.url}/attendance/")
    assert "/accounts/login/" in elsewhere.url
    other.close()

    page.get_by_role("link", name="Password").click()
    page.wait_for_url("**/accounts/password/change/")
    check_accessibility(page)
