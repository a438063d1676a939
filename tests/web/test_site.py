"""What every page of the site leans on: the icon browsers ask for at the root."""

import io

import pytest
from PIL import Image


@pytest.mark.django_db
def test_the_favicon_is_served(client):
    """Was a 404 on every page: browsers ask for /favicon.ico whatever the page says."""
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    icon = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO"
