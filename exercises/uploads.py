"""Images uploaded from the Markdown editor: verified by their bytes, re-encoded."""

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> (extension the server chooses, save options)
FORMATS = {
    "JPEG": ("jpg", {"quality": 88, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 88}),
}


# Only these decoders ever see an upload: Pillow would otherwise try every
# format it knows (and hand EPS to Ghostscript where that is installed).
ACCEPTED = list(FORMATS)


def _decode(data):
    Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning is an error for us.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED) as probe:
                image_format = probe.format
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=ACCEPTED)
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise ValidationError(
            "The file is not a readable JPEG, PNG or WebP image."
        ) from error
    return image, image_format


def save_uploaded_image(uploaded_file):
    """Check an uploaded file, store a clean copy and return its URL.

    Raises ValidationError with a message for the editor when the file is not a
    JPEG, PNG or WebP image within the size limits.
    """
    if uploaded_file.size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"The file is larger than {limit} MB.")
    image, image_format = _decode(uploaded_file.read())
    # Re-encoding from pixels drops EXIF, comments and anything appended to the
    # file; apply the EXIF orientation first so the picture stays upright.
    image = ImageOps.exif_transpose(image)
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    # Pillow writes back what it read into info (JPEG comments, EXIF, text
    # chunks); keep only the palette transparency the pixels need.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    extension, options = FORMATS[image_format]
    output = io.BytesIO()
    image.save(output, format=image_format, **options)
    name = f"{settings.MARKDOWNX_MEDIA_PATH}{uuid.uuid4().hex}.{extension}"
    stored_name = default_storage.save(name, ContentFile(output.getvalue()))
    return default_storage.url(stored_name)
