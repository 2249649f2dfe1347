"""What travels to the phone: hashed static files cached for a year, compressed pages, 304s."""

import re

import pytest

LESSON = "/id/modules/hoaks/jenis-misinformasi"


def stylesheet(client):
    return re.search(r'<link rel="stylesheet" href="([^"]+)">', client.get(LESSON).text)[1]


def test_static_files_have_hashed_names_and_are_kept_a_year(client):
    address = stylesheet(client)
    assert re.fullmatch(r"/assets/saring\.[0-9a-f]{10}\.css", address)
    with client.get(address) as response:
        assert response.status_code == 200 and response.mimetype == "text/css"
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/assets/saring.css").status_code == 404
    assert client.get("/assets/saring.0000000000.css").status_code == 404
    assert client.get("/static/saring.css").status_code == 404


def test_a_changed_file_gets_a_new_name(tmp_path):
    from saring.assets import hashed_names
    (tmp_path / "a.css").write_text("p{}")
    first = hashed_names(tmp_path)["a.css"]
    (tmp_path / "a.css").write_text("p{color:red}")
    assert hashed_names(tmp_path)["a.css"] != first


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_pages_are_compressed(client, encoding):
    plain = client.get(LESSON)
    packed = client.get(LESSON, headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert len(packed.data) * 2 < len(plain.data)
    assert "Accept-Encoding" in packed.headers["Vary"]


@pytest.mark.parametrize("encoding", [None, "gzip"])
def test_an_unchanged_page_answers_304(client, encoding):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    first = client.get(LESSON, headers=headers)
    assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    again = client.get(LESSON, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_changed_page_answers_200(client, login_as):
    etag = client.get("/id/modules/hoaks").headers["ETag"]
    login_as("learner")
    client.post(f"{LESSON}/done")
    assert client.get("/id/modules/hoaks", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("address", ["script", "/sw.js", "/id/manifest.webmanifest"])
def test_scripts_and_the_manifest_are_compressed(client, address):
    if address == "script":
        address = re.search(r'<script src="([^"]+)"', client.get(LESSON).text)[1]
    plain = client.get(address)
    packed = client.get(address, headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert len(packed.data) < len(plain.data)
