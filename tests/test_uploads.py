"""Uploads: the type comes from the bytes, limits on size and pixels, every image re-encoded
without its metadata (a phone photo's GPS position is the resident's whereabouts) and stored
under a random name; a bad file gets a clear error and stores nothing."""
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image

from appeals.models import Appeal, AppealPhoto
from appeals.photos import reencode_pending
from appeals.services import submit_appeal
from dispatch.routing.route import route_appeal

from .scenarios import file_appeal, png_upload, wait_for

pytestmark = pytest.mark.django_db

ONLY_PHOTOS = "Only photos (JPEG, PNG, WebP or GIF) can be attached."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def submit(city, *photos):
    """File an appeal, then re-encode its photos as the worker does once it is committed."""
    submitted = file_appeal(city, text="违建占道", contact_name="", photos=list(photos))
    reencode_pending(appeal_id=submitted.appeal.pk)
    return submitted


def image_bytes(fmt: str, size=(40, 20), mode="RGB", **save_args) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 200, 30) if mode == "RGB" else None).save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: camera make, GPS position, a comment, rotated by EXIF."""
    image = Image.new("RGB", (40, 20), (10, 200, 30))
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° to display"
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (39.0, 54.0, 31.3),
                ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (116.0, 23.0, 51.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"home of the resident")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb's calling card)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def stored(appeal) -> tuple[str, bytes]:
    photo = AppealPhoto.objects.get(appeal=appeal)
    with photo.image.open("rb") as handle:
        return photo.image.name, handle.read()


def media_files(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] if settings.MEDIA_ROOT.exists() else []


def test_a_phone_photo_is_stored_upright_without_exif_gps_or_comment(city):
    appeal = submit(city, SimpleUploadedFile("IMG_0001.jpg", phone_photo(), content_type="image/jpeg")).appeal
    _name, data = stored(appeal)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (20, 40)  # the orientation was applied before the tag was dropped
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "comment" not in image.info
    assert b"PhoneCo" not in data and b"home of the resident" not in data


def test_the_type_comes_from_the_bytes_and_the_name_is_random(city):
    upload = SimpleUploadedFile("../../evil.html", image_bytes("PNG"), content_type="text/html")
    name, data = stored(submit(city, upload).appeal)
    assert name.startswith("appeals/") and name.endswith(".png")
    assert "evil" not in name and ".." not in name
    assert len(name.rsplit("/", 1)[1]) == len("0123456789abcdef0123456789abcdef.png")
    assert Image.open(io.BytesIO(data)).format == "PNG"


def test_a_payload_hidden_after_the_image_is_not_stored(city):
    upload = SimpleUploadedFile("x.png", image_bytes("PNG") + b"<?php system($_GET['c']); ?>", content_type="image/png")
    _name, data = stored(submit(city, upload).appeal)
    assert b"<?php" not in data


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        pytest.param("photo.jpg", b"just some text, not a photo", id="text-named-jpg"),
        pytest.param("photo.png", b"<html><script>alert(1)</script></html>", id="html-named-png"),
        pytest.param("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', id="svg"),
        pytest.param("photo.bmp", image_bytes("BMP"), id="bmp-is-an-image-but-not-allowed"),
        pytest.param("photo.tiff", image_bytes("TIFF"), id="tiff"),
        pytest.param("photo.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", id="pdf"),
        pytest.param("photo.jpg", image_bytes("JPEG")[:200], id="truncated-jpeg"),
        pytest.param("photo.png", b"", id="empty"),
    ],
)
def test_anything_but_a_whole_photo_is_refused_and_nothing_is_stored(city, settings, filename, content):
    with pytest.raises(ValidationError) as excinfo:
        submit(city, png_upload(), SimpleUploadedFile(filename, content, content_type="image/jpeg"))
    assert excinfo.value.message_dict == {"photos": [ONLY_PHOTOS]}
    assert Appeal.objects.count() == 0
    assert media_files(settings) == []


def test_too_many_pixels_are_refused_before_decoding(city, settings):
    settings.APPEAL_PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError) as excinfo:
        submit(city, SimpleUploadedFile("bomb.png", png_declaring(1001, 1000), content_type="image/png"))
    assert "at most 1 megapixels" in excinfo.value.message_dict["photos"][0]
    assert Appeal.objects.count() == 0


def test_a_decompression_bomb_is_refused(city):
    with pytest.raises(ValidationError) as excinfo:
        submit(city, SimpleUploadedFile("bomb.png", png_declaring(100_000, 100_000), content_type="image/png"))
    assert "megapixels" in excinfo.value.message_dict["photos"][0]


def test_large_photos_are_scaled_down(city, settings):
    settings.APPEAL_PHOTO_MAX_SIDE = 16
    _name, data = stored(submit(city, png_upload(size=(64, 32))).appeal)
    assert Image.open(io.BytesIO(data)).size == (16, 8)


def test_transparency_survives_as_png(city):
    upload = SimpleUploadedFile("x.webp", image_bytes("WEBP", mode="RGBA"), content_type="image/webp")
    name, data = stored(submit(city, upload).appeal)
    assert name.endswith(".png") and Image.open(io.BytesIO(data)).mode == "RGBA"


def test_the_web_form_shows_the_error_and_stores_nothing(client, city, settings):
    response = client.post(
        reverse("appeals:home"),
        {"text": "路灯不亮", "kind": "report", "urgency": "ordinary", "category": city.noise.code,
         "contact_phone": "13900139000",
         "photos": [SimpleUploadedFile("a.jpg", b"GIF89a but not really", content_type="image/jpeg")]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert ONLY_PHOTOS in response.content.decode()
    assert Appeal.objects.count() == 0 and media_files(settings) == []


def test_the_api_returns_the_error_under_photos(api_as, city, settings):
    response = api_as(None).post(
        "/api/v1/appeals/",
        {"text": "路灯不亮", "contact_phone": "13900139000",
         "photos": [SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n broken", content_type="image/png")]},
        format="multipart", HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"photos": [ONLY_PHOTOS]}
    assert Appeal.objects.count() == 0 and media_files(settings) == []


@pytest.fixture
def decoded(monkeypatch) -> list:
    """Each decoder Pillow starts, recorded as it starts it (the decoding itself runs as before)."""
    import PIL.Image

    started = []
    real = PIL.Image._getdecoder

    def counting(mode, decoder_name, *args, **kwargs):
        started.append(decoder_name)
        return real(mode, decoder_name, *args, **kwargs)

    monkeypatch.setattr(PIL.Image, "_getdecoder", counting)
    return started


def huge_pngs(n: int = 5) -> list:
    """Issue 14: five 7000x7000 PNGs of a few KB each (each within the per-photo limit)."""
    return [SimpleUploadedFile(f"{i}.png", png_declaring(7000, 7000), content_type="image/png") for i in range(n)]


def test_an_appeal_over_the_limit_is_refused_without_decoding_its_photos(api_as, city, rates, decoded):
    """Issue 14: photos were decoded before the intake limit was checked, so a client over its
    limit still cost seconds and hundreds of MB per request."""
    rates(intake="0/hour")
    response = api_as(None).post(
        "/api/v1/appeals/", {"text": "路灯不亮", "contact_phone": "13900139000", "photos": [png_upload()]},
        format="multipart",
    )
    assert response.status_code == 429
    assert decoded == []


def test_an_invalid_appeal_is_refused_without_decoding_its_photos(api_as, city, decoded):
    response = api_as(None).post(
        "/api/v1/appeals/", {"text": "", "contact_phone": "13900139000", "photos": [png_upload()]},
        format="multipart",
    )
    assert response.status_code == 400 and "text" in response.json()
    assert decoded == []


def test_pixels_are_bounded_for_all_photos_together_from_their_headers(api_as, city, decoded, settings):
    response = api_as(None).post(
        "/api/v1/appeals/", {"text": "路灯不亮", "contact_phone": "13900139000", "photos": huge_pngs()},
        format="multipart", HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    limit = settings.APPEAL_PHOTOS_MAX_TOTAL_PIXELS // 1_000_000
    assert response.json() == {"photos": [f"These photos have too many pixels together (at most {limit} megapixels)."]}
    assert decoded == [] and Appeal.objects.count() == 0


def test_a_filed_appeals_photos_are_decoded_by_the_worker_not_the_request(api_as, city, decoded):
    response = api_as(None).post(
        "/api/v1/appeals/",
        {"text": "路灯不亮", "contact_phone": "13900139000", "photos": [png_upload(), png_upload("b.png", (9, 9))]},
        format="multipart",
    )
    assert response.status_code == 201
    assert decoded == []
    appeal = Appeal.objects.get(number=response.json()["number"])
    assert set(appeal.photos.values_list("state", flat=True)) == {AppealPhoto.State.PENDING}
    assert reencode_pending(appeal_id=appeal.pk) == 2  # what the worker runs once the appeal is committed
    assert decoded == ["zip", "zip"]
    assert set(appeal.photos.values_list("state", flat=True)) == {AppealPhoto.State.READY}
    assert reencode_pending(appeal_id=appeal.pk) == 0  # a redelivered task does nothing


def test_staff_never_get_the_upload_as_it_came_and_see_what_is_happening(
    client, city, officers, settings, django_capture_on_commit_callbacks
):
    """Before the worker has re-encoded it, the stored upload (EXIF, GPS) is not served; the
    ticket says a photo is being checked, and shows it once it is ready."""
    submitted = submit_appeal(text="违建占道", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                              contact_phone="13800138000",
                              photos=[SimpleUploadedFile("p.jpg", phone_photo(), content_type="image/jpeg")])
    dispatch = route_appeal(appeal_id=submitted.appeal.pk)
    photo = AppealPhoto.objects.get(appeal=submitted.appeal)
    assert photo.image.name.endswith(".upload") and "p.jpg" not in photo.image.name
    client.force_login(officers["supervisor"].user)
    assert client.get(reverse("console:photo", args=[photo.pk])).status_code == 404
    page = client.get(reverse("console:dispatch", args=[dispatch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "A photo is being checked" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the upload is deleted once committed
        reencode_pending(appeal_id=submitted.appeal.pk)
    served = client.get(reverse("console:photo", args=[photo.pk]))
    assert served.status_code == 200
    assert "GPSInfo" not in str(Image.open(io.BytesIO(b"".join(served.streaming_content))).getexif())
    assert [p.name for p in media_files(settings)] == [AppealPhoto.objects.get().image.name.rsplit("/", 1)[-1]]


def test_a_file_with_a_good_header_and_broken_pixels_is_kept_as_unreadable(
    city, settings, django_capture_on_commit_callbacks
):
    """Its header passes at intake; the worker cannot decode it: the appeal stands, the file is
    deleted, and staff are told that the resident sent something that is not a photo."""
    broken = SimpleUploadedFile("b.png", png_declaring(64, 64), content_type="image/png")
    submitted = submit_appeal(text="违建占道", contact_phone="13800138000", photos=[broken])
    with django_capture_on_commit_callbacks(execute=True):
        reencode_pending(appeal_id=submitted.appeal.pk)
    photo = AppealPhoto.objects.get(appeal=submitted.appeal)
    assert photo.state == AppealPhoto.State.UNREADABLE
    assert media_files(settings) == []


def test_photos_whose_task_was_lost_are_swept(city, settings):
    from datetime import timedelta

    from django.utils import timezone

    from appeals.photos import sweep_pending

    submitted = submit_appeal(text="违建占道", contact_phone="13800138000", photos=[png_upload()])
    assert sweep_pending(older_than_seconds=60) == 0  # its task may still be on its way
    AppealPhoto.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    assert sweep_pending(older_than_seconds=60) == 1
    assert AppealPhoto.objects.get(appeal=submitted.appeal).state == AppealPhoto.State.READY


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_reencodes_a_committed_appeals_photos(celery_worker, api_as, city):
    response = api_as(None).post(
        "/api/v1/appeals/", {"text": "路灯不亮", "contact_phone": "13900139000", "photos": [png_upload()]},
        format="multipart",
    )
    assert response.status_code == 201
    photo = AppealPhoto.objects.get(appeal__number=response.json()["number"])
    wait_for(lambda: AppealPhoto.objects.filter(pk=photo.pk, state=AppealPhoto.State.READY).exists())
    wait_for(lambda: Appeal.objects.get(pk=photo.appeal_id).routed_at)  # the worker is done with it
