"""Static files storage: WhiteNoise's compressed manifest storage, with fingerprinted URLs in DEBUG too.

Django hands out unhashed URLs while DEBUG is on (HashedFilesMixin._url), so bin/run, which runs with
POSKO_DEBUG=1, would serve every asset with a one-minute cache. With the manifest collected, the hashed name
is always the right one: bin/run then serves assets exactly as production does (fingerprinted, compressed,
cached for a year)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        return super().url(name, force=True)
