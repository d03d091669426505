"""Real sample files, made by the tests themselves: photos with EXIF and GPS (Pillow), HEIC (pillow-heif),
videos and audio (PyAV), PDFs (pypdf), and a hostile set."""

import io
import math
import struct
import zipfile
import zlib

import av
from PIL import Image, ImageDraw

# Kota Probolinggo, as degrees/minutes/seconds: 7°45'15.48" S, 113°12'57.24" E.
GPS = {1: "S", 2: (7.0, 45.0, 15.48), 3: "E", 4: (113.0, 12.0, 57.24), 5: 0, 6: 12.5}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Posko test"/></rdf:RDF>'
    b"</x:xmpmeta>"
)
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def scene(width=640, height=480, seed=1) -> Image.Image:
    """A picture with structure (so perceptual hashes mean something): bands and shapes."""
    image = Image.new("RGB", (width, height), (30 + seed * 20 % 200, 90, 160))
    draw = ImageDraw.Draw(image)
    for i in range(8):
        x = (i * 97 * seed) % width
        draw.rectangle(
            [x, (i * 53) % height, x + width // 5, (i * 53) % height + height // 4],
            fill=((i * 40) % 255, (seed * 70 + i * 25) % 255, (i * 90) % 255),
        )
    draw.ellipse([width // 3, height // 3, width // 2, height // 2], fill=(250, 250, 250))
    return image


def exif_block(*, orientation=6, gps=True, taken="2024:11:20 10:15:00", make="samsung", model="SM-A546E"):
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    exif[0x0112] = orientation
    exif[0x0131] = "A546EXXU4BXH1"
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = taken
    exif_ifd[0x9011] = "+07:00"
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd.update(GPS)
    return exif


def jpeg_with_exif(width=640, height=480, **kwargs) -> bytes:
    buf = io.BytesIO()
    scene(width, height).save(buf, "JPEG", quality=90, exif=exif_block(**kwargs), xmp=XMP)
    return buf.getvalue()


def image_bytes(fmt: str, width=320, height=240, seed=2, **save) -> bytes:
    buf = io.BytesIO()
    picture = scene(width, height, seed)
    if fmt == "GIF":
        frames = [picture.convert("P"), scene(width, height, seed + 1).convert("P")]
        frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    else:
        picture.save(buf, fmt, **save)
    return buf.getvalue()


def heic_with_exif() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    scene(480, 360, 3).save(buf, "HEIF", quality=70, exif=exif_block(orientation=1).tobytes())
    return buf.getvalue()


def video_bytes(
    container="mp4", codec="mpeg4", size=(320, 240), seconds=2, rate=10, metadata=None, audio=False
) -> bytes:
    buf = io.BytesIO()
    fmt = {"mkv": "matroska", "3gp": "3gp"}.get(container, container)
    with av.open(buf, mode="w", format=fmt) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(seconds * rate):
            frame = av.VideoFrame.from_image(scene(size[0], size[1], seed=1 + i % 5))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def audio_bytes(seconds=1, rate=16000) -> bytes:
    """An AAC tone in an .m4a container."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="ipod") as out:
        stream = out.add_stream("aac", rate=rate, layout="mono")
        samples = 1024
        for i in range(seconds * rate // samples):
            frame = av.AudioFrame(format="fltp", layout="mono", samples=samples)
            tone = [0.3 * math.sin(2 * math.pi * 440 * (i * samples + n) / rate) for n in range(samples)]
            frame.planes[0].update(struct.pack(f"<{samples}f", *tone))
            frame.sample_rate, frame.pts = rate, i * samples
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def pdf_bytes(pages=2, author="Bawaslu Kota Probolinggo") -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": author, "/Title": "Surat undangan kampanye", "/Creator": "Writer"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def png_bomb(width=30000, height=30000) -> bytes:
    """A valid 1-bit PNG of width×height pixels, a few hundred KB on disk: a pixel flood."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return image_bytes("JPEG") + archive.getvalue()


def hostile_set() -> dict[str, tuple[bytes, str]]:
    """name → (bytes, declared content type)."""
    jpeg = image_bytes("JPEG", 640, 480)
    return {
        "foto_camat.jpg": (
            b"MZ\x90\x00\x03" + b"\x00" * 1000 + b"This program cannot be run in DOS mode",
            "image/jpeg",
        ),
        "bukti.jpg": (
            b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
            "image/jpeg",
        ),
        "gambar.png": (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        "polyglot.jpg": (jpeg_zip_polyglot(), "image/jpeg"),
        "terpotong.jpg": (jpeg[: len(jpeg) // 2], "image/jpeg"),
        "kosong.jpg": (b"", "image/jpeg"),
        "bom.png": (png_bomb(), "image/png"),
        "rusak.mp4": (
            b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40,
            "video/mp4",
        ),
        "arsip.zip": (zipfile_bytes(), "application/zip"),
    }


def zipfile_bytes() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "x")
    return archive.getvalue()


def jpeg_with_eicar() -> bytes:
    """A real JPEG carrying the EICAR test string in a comment: identified as a photo, caught by the scanner."""
    buf = io.BytesIO()
    scene(64, 64).save(buf, "JPEG", comment=EICAR)
    return buf.getvalue()
