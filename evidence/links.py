"""Links to posts: normalised (tracking parameters dropped, host spellings unified) and recognised (platform,
account, post id), so that many reports of one viral post meet as the same link."""

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track who shared what (marketing, share sheets, app referrals).
_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|igsh|si|mibextid|sfnsn|__cft__.*|__tn__|_rdr|"
    r"rdid|ref|ref_src|ref_url|refsrc|feature|is_from_webapp|sender_device|share_app_id|_branch_match_id|"
    r"_branch_referrer|epik|wtsid|mc_cid|mc_eid|_hsenc|_hsmi)$",
    re.I,
)
# Parameters that carry the identity of the post on some platforms; never dropped there.
_KEEP = {
    "facebook": {"story_fbid", "id", "v", "fbid", "set"},
    "youtube": {"v", "t", "list"},
}
_HOST_ALIASES = {
    "twitter.com": "x.com",
    "mobile.twitter.com": "x.com",
    "mobile.x.com": "x.com",
    "m.facebook.com": "facebook.com",
    "web.facebook.com": "facebook.com",
    "mbasic.facebook.com": "facebook.com",
    "touch.facebook.com": "facebook.com",
    "fb.com": "facebook.com",
    "m.me": "m.me",
    "m.youtube.com": "youtube.com",
    "music.youtube.com": "youtube.com",
    "youtube-nocookie.com": "youtube.com",
    "threads.com": "threads.net",
    "telegram.me": "t.me",
    "telegram.dog": "t.me",
    "m.tiktok.com": "tiktok.com",
    "mobile.tiktok.com": "tiktok.com",
}
_PLATFORM_HOSTS = {
    "facebook.com": "facebook",
    "fb.watch": "facebook",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "tiktok.com": "tiktok",
    "vm.tiktok.com": "tiktok",
    "vt.tiktok.com": "tiktok",
    "x.com": "x",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "threads.net": "threads",
    "t.me": "telegram",
    "whatsapp.com": "whatsapp",
    "wa.me": "whatsapp",
}


@dataclass(frozen=True)
class NormalizedLink:
    url: str
    platform: str  # facebook, instagram, tiktok, x, youtube, threads, telegram, whatsapp or web
    account: str = ""
    post_id: str = ""

    @property
    def key(self) -> str:
        return hashlib.sha256(self.url.encode()).hexdigest()


def _host(netloc: str) -> str:
    host = netloc.rsplit("@", 1)[-1].lower().rstrip(".")
    if host.startswith("[") or ":" not in host:
        return host
    name, _, port = host.rpartition(":")
    return name if port in ("80", "443", "") else host


def normalize(raw: str) -> NormalizedLink:
    """Normalise a link. Unknown sites keep their path and non-tracking parameters (a plain web page)."""
    text = raw.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower() if parts.scheme.lower() in ("http", "https") else "https"
    host = _host(parts.netloc)
    bare = host[4:] if host.startswith("www.") else host
    bare = _HOST_ALIASES.get(bare, bare)
    if bare.startswith("m.") and bare[2:] in _PLATFORM_HOSTS:
        bare = bare[2:]
    platform = _PLATFORM_HOSTS.get(bare, "web")
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=False)
        if k in _KEEP.get(platform, set()) or not _TRACKING.match(k)
    ]
    account = post_id = ""
    segments = [s for s in path.split("/") if s]

    if platform == "youtube":
        video = dict(query).get("v", "")
        if bare == "youtu.be" and segments:
            video = segments[0]
        elif segments[:1] in (["shorts"], ["live"], ["embed"], ["v"]) and len(segments) > 1:
            video = segments[1]
        if video:
            bare, path, post_id = "youtube.com", "/watch", video
            query = [("v", video)] + [(k, v) for k, v in query if k in ("t", "list")]
        elif segments and segments[0].startswith("@"):
            account = segments[0][1:]
    elif platform == "x":
        if len(segments) >= 3 and segments[1] == "status":
            account, post_id = segments[0].lower(), segments[2]
            path = f"/{account}/status/{post_id}"
        elif segments:
            account = segments[0].lower()
            path = f"/{account}"
        query = []
    elif platform == "instagram":
        if len(segments) >= 2 and segments[0] in ("p", "reel", "reels", "tv"):
            kind = "reel" if segments[0] == "reels" else segments[0]
            post_id, path = segments[1], f"/{kind}/{segments[1]}/"
        elif len(segments) >= 3 and segments[1] in ("p", "reel", "tv"):
            account, post_id, path = segments[0], segments[2], f"/{segments[1]}/{segments[2]}/"
        elif segments:
            account = segments[0].lower()
            path = f"/{account}/"
        query = []
    elif platform == "tiktok":
        if len(segments) >= 3 and segments[0].startswith("@") and segments[1] in ("video", "photo"):
            account, post_id = segments[0][1:].lower(), segments[2]
            path = f"/@{account}/{segments[1]}/{post_id}"
        elif segments and segments[0].startswith("@"):
            account = segments[0][1:]
        elif bare in ("vm.tiktok.com", "vt.tiktok.com") and segments:
            post_id = ""  # a short link: the post is only known after following it
        query = []
    elif platform == "threads":
        if len(segments) >= 3 and segments[0].startswith("@") and segments[1] == "post":
            account, post_id = segments[0][1:].lower(), segments[2]
            path = f"/@{account}/post/{post_id}"
        elif segments and segments[0].startswith("@"):
            account = segments[0][1:]
        query = []
    elif platform == "telegram":
        rest = segments[1:] if segments[:1] == ["s"] else segments
        if rest:
            account = rest[0].lower()
            if len(rest) > 1 and rest[1].isdigit():
                post_id = rest[1]
            path = "/" + "/".join([account] + ([post_id] if post_id else []))
        query = []
    elif platform == "whatsapp":
        if segments[:1] == ["channel"] and len(segments) > 1:
            account = segments[1]
            post_id = segments[2] if len(segments) > 2 else ""
            bare, path = "whatsapp.com", "/" + "/".join(segments[:3])
        query = []
    elif platform == "facebook":
        params = dict(query)
        if bare == "fb.watch" and segments:
            post_id = segments[0]
        elif params.get("story_fbid"):
            post_id, account = params["story_fbid"], params.get("id", "")
        elif params.get("fbid"):
            post_id = params["fbid"]
        elif params.get("v"):
            post_id = params["v"]
        elif len(segments) >= 3 and segments[1] in ("posts", "videos", "photos"):
            account, post_id = segments[0], segments[-1]
        elif len(segments) >= 2 and segments[0] in ("reel", "watch"):
            post_id = segments[1]
        elif len(segments) >= 4 and segments[0] == "groups" and segments[2] in ("posts", "permalink"):
            account, post_id = f"groups/{segments[1]}", segments[3]
        elif len(segments) >= 2 and segments[0] == "share":
            post_id = segments[-1]
        elif segments and segments[0] not in ("story.php", "permalink.php", "photo.php", "watch", "photo"):
            account = segments[0]

    if platform != "web":
        scheme = "https"
        if path != "/" and platform not in ("instagram",):
            path = path.rstrip("/") or "/"
    url = urlunsplit((scheme, bare if platform != "web" else host, path, urlencode(query), ""))
    if platform in ("x", "instagram", "tiktok", "threads", "telegram"):
        account = (
            account.lower()
        )  # handles on these platforms are case-insensitive (and lower-cased in paths)
    return NormalizedLink(url=url, platform=platform, account=account, post_id=post_id)
