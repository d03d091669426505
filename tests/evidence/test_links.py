"""Link normalisation and recognition, on real-world URL shapes."""

import pytest

from evidence.links import normalize

CASES = [
    # (as shared, normalised, platform, account, post id)
    (
        "https://www.facebook.com/budi.santoso/posts/pfbid02abcXYZ?mibextid=Nif5oz",
        "https://facebook.com/budi.santoso/posts/pfbid02abcXYZ",
        "facebook",
        "budi.santoso",
        "pfbid02abcXYZ",
    ),
    (
        "https://m.facebook.com/story.php?story_fbid=1234567890&id=100001&mibextid=ZbWKwL",
        "https://facebook.com/story.php?story_fbid=1234567890&id=100001",
        "facebook",
        "100001",
        "1234567890",
    ),
    (
        "https://web.facebook.com/photo.php?fbid=987654321&set=a.1&type=3&_rdr",
        "https://facebook.com/photo.php?fbid=987654321&set=a.1&type=3",
        "facebook",
        "",
        "987654321",
    ),
    (
        "https://www.facebook.com/watch/?v=555666777&ref=sharing",
        "https://facebook.com/watch?v=555666777",
        "facebook",
        "",
        "555666777",
    ),
    ("https://fb.watch/qRsTuV12/?mibextid=v7YzmG", "https://fb.watch/qRsTuV12", "facebook", "", "qRsTuV12"),
    (
        "https://www.facebook.com/groups/pilkadaprobolinggo/posts/778899/?__cft__[0]=AZX&__tn__=%2CO%2CP-R",
        "https://facebook.com/groups/pilkadaprobolinggo/posts/778899",
        "facebook",
        "groups/pilkadaprobolinggo",
        "778899",
    ),
    (
        "https://www.facebook.com/reel/1122334455?fbclid=IwAR0abc",
        "https://facebook.com/reel/1122334455",
        "facebook",
        "",
        "1122334455",
    ),
    (
        "https://www.facebook.com/share/p/1AbCdEf/",
        "https://facebook.com/share/p/1AbCdEf",
        "facebook",
        "",
        "1AbCdEf",
    ),
    (
        "https://www.instagram.com/p/C1abcDEF/?igshid=MzRlODBiNWFlZA==",
        "https://instagram.com/p/C1abcDEF/",
        "instagram",
        "",
        "C1abcDEF",
    ),
    (
        "https://instagram.com/reel/C2xyz/?igsh=abc&utm_source=ig_web_copy_link",
        "https://instagram.com/reel/C2xyz/",
        "instagram",
        "",
        "C2xyz",
    ),
    (
        "https://www.instagram.com/reels/C3reel/",
        "https://instagram.com/reel/C3reel/",
        "instagram",
        "",
        "C3reel",
    ),
    (
        "https://www.instagram.com/Camat.Kanigaran/p/C4post/",
        "https://instagram.com/p/C4post/",
        "instagram",
        "camat.kanigaran",
        "C4post",
    ),
    (
        "https://www.instagram.com/camat.kanigaran/?hl=id",
        "https://instagram.com/camat.kanigaran/",
        "instagram",
        "camat.kanigaran",
        "",
    ),
    (
        "https://www.tiktok.com/@camat.kanigaran/video/7312345678901234567?is_from_webapp=1&sender_device=pc",
        "https://tiktok.com/@camat.kanigaran/video/7312345678901234567",
        "tiktok",
        "camat.kanigaran",
        "7312345678901234567",
    ),
    (
        "https://m.tiktok.com/@Lurah.X/photo/7300000000000000001?_r=1&_t=8abc",
        "https://tiktok.com/@lurah.x/photo/7300000000000000001",
        "tiktok",
        "lurah.x",
        "7300000000000000001",
    ),
    ("https://vm.tiktok.com/ZSNabc123/", "https://vm.tiktok.com/ZSNabc123", "tiktok", "", ""),
    (
        "https://twitter.com/BudiSantoso/status/1789012345678901234?s=20&t=AbC",
        "https://x.com/budisantoso/status/1789012345678901234",
        "x",
        "budisantoso",
        "1789012345678901234",
    ),
    (
        "https://x.com/budisantoso/status/1789012345678901234/photo/1",
        "https://x.com/budisantoso/status/1789012345678901234",
        "x",
        "budisantoso",
        "1789012345678901234",
    ),
    (
        "https://mobile.twitter.com/budisantoso/status/1789012345678901234",
        "https://x.com/budisantoso/status/1789012345678901234",
        "x",
        "budisantoso",
        "1789012345678901234",
    ),
    ("https://www.x.com/BudiSantoso", "https://x.com/budisantoso", "x", "budisantoso", ""),
    (
        "https://youtu.be/dQw4w9WgXcQ?si=Ab12Cd34",
        "https://youtube.com/watch?v=dQw4w9WgXcQ",
        "youtube",
        "",
        "dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=share&pp=ygU",
        "https://youtube.com/watch?v=dQw4w9WgXcQ",
        "youtube",
        "",
        "dQw4w9WgXcQ",
    ),
    (
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
        "https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
        "youtube",
        "",
        "dQw4w9WgXcQ",
    ),
    (
        "https://youtube.com/shorts/AbCdEfGhIjK?si=xyz",
        "https://youtube.com/watch?v=AbCdEfGhIjK",
        "youtube",
        "",
        "AbCdEfGhIjK",
    ),
    (
        "https://www.youtube.com/live/LiVeId12345?feature=shared",
        "https://youtube.com/watch?v=LiVeId12345",
        "youtube",
        "",
        "LiVeId12345",
    ),
    ("https://www.youtube.com/@BawasluRI", "https://youtube.com/@BawasluRI", "youtube", "BawasluRI", ""),
    (
        "https://www.threads.net/@camat.kanigaran/post/C5thread?xmt=AQGz",
        "https://threads.net/@camat.kanigaran/post/C5thread",
        "threads",
        "camat.kanigaran",
        "C5thread",
    ),
    (
        "https://www.threads.com/@camat.kanigaran/post/C5thread",
        "https://threads.net/@camat.kanigaran/post/C5thread",
        "threads",
        "camat.kanigaran",
        "C5thread",
    ),
    (
        "https://t.me/infopilkadajatim/1234",
        "https://t.me/infopilkadajatim/1234",
        "telegram",
        "infopilkadajatim",
        "1234",
    ),
    (
        "https://t.me/s/InfoPilkadaJatim/1234?single",
        "https://t.me/infopilkadajatim/1234",
        "telegram",
        "infopilkadajatim",
        "1234",
    ),
    (
        "https://telegram.me/infopilkadajatim",
        "https://t.me/infopilkadajatim",
        "telegram",
        "infopilkadajatim",
        "",
    ),
    (
        "https://whatsapp.com/channel/0029VaAbCdEf123/456",
        "https://whatsapp.com/channel/0029VaAbCdEf123/456",
        "whatsapp",
        "0029VaAbCdEf123",
        "456",
    ),
    (
        "https://www.whatsapp.com/channel/0029VaAbCdEf123",
        "https://whatsapp.com/channel/0029VaAbCdEf123",
        "whatsapp",
        "0029VaAbCdEf123",
        "",
    ),
    (
        "https://radarbromo.jawapos.com/politik/2024/11/20/asn-kampanye/?utm_source=whatsapp&utm_medium=social&page=2#top",
        "https://radarbromo.jawapos.com/politik/2024/11/20/asn-kampanye/?page=2",
        "web",
        "",
        "",
    ),
    (
        "HTTPS://WWW.Kompas.COM:443/read/2024/11/20/asn?fbclid=abc&gclid=def",
        "https://www.kompas.com/read/2024/11/20/asn",
        "web",
        "",
        "",
    ),
    (
        "detik.com/jatim/berita/d-123/asn-netral",
        "https://detik.com/jatim/berita/d-123/asn-netral",
        "web",
        "",
        "",
    ),
]


@pytest.mark.parametrize(("raw", "url", "platform", "account", "post_id"), CASES)
def test_normalize(raw, url, platform, account, post_id):
    link = normalize(raw)
    assert (link.url, link.platform, link.account, link.post_id) == (url, platform, account, post_id)


def test_there_are_at_least_thirty_shapes():
    assert len(CASES) >= 30


def test_shares_of_one_post_meet_as_one_key():
    shares = [
        "https://twitter.com/BudiSantoso/status/1789?s=20",
        "https://x.com/budisantoso/status/1789",
        "https://mobile.twitter.com/budisantoso/status/1789?t=xyz",
    ]
    assert len({normalize(u).key for u in shares}) == 1
    assert normalize("https://youtu.be/abc").key == normalize("https://www.youtube.com/shorts/abc?si=1").key
