"""Documents and report PDFs in S3-compatible object storage (KVARTER_STORAGE=s3), read only through Django.

The object store is moto's S3 server on loopback: a real HTTP S3 API that
boto3 and django-storages talk to as to any other, since none is reachable
from the test machines.
"""

import datetime as dt
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest

from activities.enums import Gender, SessionStatus

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    ProgrammeFactory,
    ReportRequestFactory,
    SessionFactory,
    TallyFactory,
)

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "kvarter-reports"
CREDENTIALS = {"access_key": "kvarter-test", "secret_key": "kvarter-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-north-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    if BUCKET not in [bucket["Name"] for bucket in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    yield endpoint, client
    server.stop()


def test_the_production_settings_put_files_in_the_bucket(s3_endpoint, tmp_path):
    endpoint, client = s3_endpoint
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-enough-1234567890",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'storage.sqlite3'}",
        "KVARTER_STORAGE": "s3",
        "KVARTER_S3_BUCKET": BUCKET,
        "KVARTER_S3_ENDPOINT_URL": endpoint,
        "KVARTER_S3_REGION": "eu-north-1",
        "KVARTER_S3_ACCESS_KEY_ID": CREDENTIALS["access_key"],
        "KVARTER_S3_SECRET_ACCESS_KEY": CREDENTIALS["secret_key"],
        "KVARTER_S3_PREFIX": "kvarter",
    }
    code = (
        "import django; django.setup();"
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import storages; s = storages['default'];"
        "name = s.save('reports/2018/a.pdf', ContentFile(b'%PDF-1.7 one'));"
        "again = s.save('reports/2018/a.pdf', ContentFile(b'%PDF-1.7 two'));"
        "print(type(s).__name__, name, again != name, s.open(name).read().decode())"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 0, result.stderr
    kind, name, renamed, content = result.stdout.split(maxsplit=3)
    assert (kind, name, renamed, content.strip()) == ("S3Storage", "reports/2018/a.pdf", "True", "%PDF-1.7 one")
    keys = sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET, Prefix="kvarter/")["Contents"])
    assert keys[0] == "kvarter/reports/2018/a.pdf" and len(keys) == 2
    # Private objects: nobody reads them without the keys, only through Django.
    acl = client.get_object_acl(Bucket=BUCKET, Key=keys[0])
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]


def test_an_unknown_storage_is_refused(tmp_path):
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-enough-1234567890",
        "KVARTER_STORAGE": "nfs",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "KVARTER_STORAGE is 'filesystem' or 's3', not 'nfs'." in result.stderr


@pytest.mark.django_db
def test_a_report_made_into_the_bucket_is_downloaded_through_django(
    s3_endpoint, settings, client, strategist, municipality
):
    from reporting.services import report_produce

    endpoint, s3 = s3_endpoint
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "eu-north-1",
                "location": "views",
                "default_acl": "private",
                "file_overwrite": False,
                **CREDENTIALS,
            },
        },
    }
    programme = ProgrammeFactory(lead_organisation=municipality, name="Connexion West", slug="connexion-west")
    band = AgeBandFactory(organisation=municipality, min_age=13, max_age=17)
    session = SessionFactory(
        activity=ActivityFactory(programme=programme),
        starts_at=dt.datetime(2018, 3, 6, 15, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm")),
        status=SessionStatus.HELD,
    )
    TallyFactory(session=session, age_band=band, gender=Gender.FEMALE, visits=60)
    report = report_produce(request_id=ReportRequestFactory(programme=programme, year=2018, requested_by=None).pk)
    client.force_login(strategist)

    response = client.get(f"/reports/{report.pk}/pdf/")

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    stored = s3.get_object(Bucket=BUCKET, Key=f"views/{report.file.name}")["Body"].read()
    assert body == stored and body.startswith(b"%PDF-")
