"""One settings object for the whole service, read from ``ACCORD_*`` environment variables.

Build it once with ``Settings()`` at the edge (CLI command, worker, app factory) and pass it down; nothing in
Accord reads the environment anywhere else. Every field is documented in ``docs/settings.md`` (a test checks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-secret-not-for-production"})
# The largest video, file-sharing, social, hosting and CDN platforms: blocking one of them by DNS blocks millions
# of lawful pages (Italy's Piracy Shield blocked a CDN address and a file-sharing domain).
SHARED_PLATFORMS = (
    "youtube.com", "youtu.be", "googlevideo.com", "drive.google.com", "docs.google.com", "sites.google.com",
    "storage.googleapis.com", "cloudflare.com", "cloudflare.net", "pages.dev", "workers.dev", "cloudfront.net",
    "akamaihd.net", "akamaized.net", "fastly.net", "azureedge.net", "amazonaws.com", "github.com", "github.io",
    "githubusercontent.com", "gitlab.com", "dropbox.com", "mega.nz", "mediafire.com", "archive.org", "t.me",
    "telegram.org", "telegra.ph", "facebook.com", "fbcdn.net", "instagram.com", "whatsapp.com", "x.com",
    "twitter.com", "twimg.com", "tiktok.com", "reddit.com", "vk.com", "ok.ru", "rumble.com", "odysee.com",
    "bitchute.com", "vimeo.com", "dailymotion.com", "soundcloud.com", "discord.com", "discord.gg",
    "wikipedia.org", "wikimedia.org", "blogspot.com", "blogger.com", "wordpress.com", "medium.com",
    "substack.com", "tumblr.com", "pastebin.com", "justpaste.it", "linkedin.com", "pinterest.com",
    "onedrive.live.com", "1drv.ms", "icloud.com", "box.com", "wetransfer.com",
)
# Anycast and CDN ranges that front many thousands of sites (Cloudflare, Fastly, Akamai, Google front ends).
SHARED_IP_NETWORKS = (
    "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "188.114.96.0/20", "162.158.0.0/15", "141.101.64.0/18",
    "151.101.0.0/16", "199.232.0.0/16", "23.32.0.0/11", "2.16.0.0/13", "142.250.0.0/15", "172.217.0.0/16",
    "2606:4700::/32", "2a04:4e42::/32",
)
DEFAULT_SECRET = "dev-secret-not-for-production"  # noqa: S105 - the placeholder that production refuses


class Settings(BaseSettings):
    """Every knob Accord has. Outside ``dev``/``test`` mode, placeholder secrets are refused."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    mode: Literal["dev", "test", "production"] = Field(
        "dev", description="`dev` and `test` allow placeholder secrets and plain-HTTP cookies; `production` not."
    )
    database_url: str = Field(
        "sqlite:///var/accord.db",
        description="SQLAlchemy URL. SQLite (embedded default, WAL mode) or `postgresql+psycopg://...`.",
    )
    secret_key: str = Field(
        DEFAULT_SECRET,
        description="Signs session cookies and CSRF tokens and derives the key that encrypts webhook secrets.",
    )
    preservation_key: str = Field(
        DEFAULT_SECRET,
        description="Key from which the preservation store's encryption key (TCO Art. 6) and the key that encrypts "
        "organisations' Ed25519 signing keys (Annex I-III) are derived.",
    )
    backup_key: str = Field(
        "", description="Secret (at least 32 characters) that `accord backup` encrypts with and `accord restore` "
        "decrypts with; `--key-file` gives it from a file instead. Keep it apart from the backups.",
    )
    host: str = Field("127.0.0.1", description="Address `accord serve` binds to.")
    port: int = Field(8000, description="Port `accord serve` listens on.")
    public_base_url: str = Field(
        "http://127.0.0.1:8000", description="The address users reach this instance at (links in notices)."
    )
    session_cookie_secure: bool | None = Field(
        None, description="Mark the UI session cookie `Secure`. Default: on in production, off in dev/test."
    )
    session_max_age_hours: int = Field(12, description="How long a UI login lasts (one reviewer shift).")
    log_level: str = Field("INFO", description="Python logging level.")
    log_json: bool = Field(True, description="Emit one JSON object per log line (with the request id).")
    job_lease_seconds: float = Field(
        60.0, description="A claimed job whose worker dies is retried once its lease has run out."
    )
    job_backoff_base_seconds: float = Field(
        2.0, description="Retry delay after attempt n is base * 2**(n-1) (exponential backoff)."
    )
    job_max_attempts: int = Field(6, description="Attempts before a job is dead-lettered.")
    worker_poll_seconds: float = Field(
        0.5, description="How often an idle worker looks for due jobs (on PostgreSQL a new job wakes it at once).")
    webhook_timeout_seconds: float = Field(10.0, description="Time limit for one webhook delivery.")
    fetch_allow_private: bool = Field(
        False,
        description="Let the guarded fetcher and webhooks reach private, loopback and link-local addresses.",
    )
    fetch_max_bytes: int = Field(20 * 1024 * 1024, description="Largest body the guarded fetcher reads.")
    fetch_timeout_seconds: float = Field(10.0, description="Time limit for one guarded fetch.")
    idempotency_ttl_hours: int = Field(24, description="How long an `Idempotency-Key` answer is remembered.")
    public_rate_limit_per_minute: int = Field(
        10, description="Unauthenticated submissions (DSA Art. 16 user reports) allowed per address per minute."
    )
    media_max_bytes: int = Field(25 * 1024 * 1024, description="Largest upload accepted for hashing.")
    media_max_pixels: int = Field(
        50_000_000, description="Largest decoded image (pixels); larger ones are refused as decompression bombs."
    )
    index_snapshot_dir: Path = Field(
        Path("var/index"), description="Where matcher processes keep on-disk index snapshots."
    )
    smtp_host: str | None = Field(
        None, description="SMTP server that e-mails complainants, notifiers and uploaders their outcome and status "
        "link. Unset: no e-mail is sent; the status pages still work.")
    smtp_port: int = Field(587, description="Port of the SMTP server (587 submission with STARTTLS, 25 relay).")
    smtp_username: str | None = Field(None, description="SMTP login, if the server wants one.")
    smtp_password: str | None = Field(None, description="SMTP password, if the server wants one.")
    smtp_from: str = Field("Accord <no-reply@accord.invalid>", description="The From address of Accord's e-mail.")
    smtp_starttls: bool = Field(
        True, description="Upgrade the SMTP connection with STARTTLS (and refuse to send when the server cannot)."
    )
    tdb_url: str | None = Field(
        None,
        description="Base URL of the DSA Transparency Database; statements of reasons are posted to "
        "`{url}/api/v1/statements` (DSA Art. 24(5)). Unset: nothing is submitted.",
    )
    tdb_token: SecretStr | None = Field(
        None, description="The platform's Transparency Database API token, sent as `Authorization: Bearer`."
    )
    tdb_timeout_seconds: float = Field(30.0, description="Time limit for one call to the Transparency Database.")
    tdb_retry_base_seconds: float = Field(
        60.0,
        description="Wait after a failed Transparency Database call; it doubles with each attempt, up to six hours.",
    )
    redress_default_days: int = Field(
        30, description="Days to challenge a removal order when the order states no redress deadline; an order "
                        "becomes final when this period ends without an appeal (TCO Art. 3(9)).",
    )
    breach_signal_window_days: int = Field(
        90, description="Window over which one-hour breaches are counted for the systematic-failure signal "
                        "(TCO Art. 18(4)).",
    )
    breach_signal_threshold: int = Field(
        3, description="Breaches of the hour within the window at which a provider is flagged as failing "
                       "systematically or persistently (TCO Art. 18(4)).",
    )
    # ---- hardening: UI login, API rate limits, headers (docs/security.md items 5-7) ----
    login_max_failures: int = Field(
        5, description="Failed UI logins for one e-mail address, or from one client address, before it is locked.")
    login_lockout_seconds: int = Field(
        60, description="First lockout after too many failed logins; each further lockout doubles it.")
    login_lockout_max_seconds: int = Field(3600, description="Longest UI login lockout.")
    login_failure_window_seconds: int = Field(
        900, description="Failed logins older than this are forgotten (a lockout's doubling after a day).")
    rate_limit_intake_per_key: int = Field(
        1200, description="Notices, reports and other intake (`POST /v1/notices...`) one API key may send a minute.")
    rate_limit_intake_per_address: int = Field(
        2400, description="Intake requests one client address may send a minute.")
    rate_limit_match_per_key: int = Field(
        120_000, description="Hashing and matching requests (`/v1/hashes`, `/v1/match`) one API key may send a "
                             "minute: a platform checks every upload, so 2,000 a second, above what one process "
                             "serves (benchmarks/README.md); the limit stops a runaway client, not a busy one.")
    rate_limit_match_per_address: int = Field(
        240_000, description="Hashing and matching requests per address a minute.")
    match_quota_per_key_per_day: int = Field(
        0, ge=0, description="Lookups (`POST /v1/match` items) one API key may make per UTC day, for hosted "
                             "matching of members who cannot hold the lists; 0: no daily quota (the rate limit "
                             "still applies).")
    lookup_audit_flush_seconds: int = Field(
        60, ge=1, description="How often a matcher process writes its aggregated lookup counts (per key, bank "
                              "and minute) for the bank owners' audit; a miss itself writes nothing.")
    flood_matches_per_entry_per_hour: int = Field(
        1000, ge=0, description="Recorded matches of one bank entry in an hour, across organisations, past which "
                                "the entry is quarantined as a flood (a junk hash matching everything); its "
                                "owner and the coordinators are told and its matches marked for re-review. "
                                "0: never.")
    matcher_reload_spread_seconds: int = Field(
        600, ge=1, description="A matcher replica reloads a newer index snapshot at a random moment within this "
                               "many seconds of noticing it, and only while no other replica on the host is "
                               "reloading: replicas never reload together.")
    rate_limit_reads_per_key: int = Field(1200, description="`GET` requests one API key may send a minute.")
    rate_limit_reads_per_address: int = Field(2400, description="`GET` requests one client address may send a minute.")
    rate_limit_writes_per_key: int = Field(
        600, description="Other state-changing `/v1` requests one API key may send a minute.")
    rate_limit_writes_per_address: int = Field(1200, description="Other state-changing requests per address a minute.")
    rate_limit_auth_failures_per_address: int = Field(
        20, description="Refused API credentials (401) one client address may earn a minute before it is refused "
                        "with 429.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or CIDR networks of reverse proxies whose `X-Forwarded-For` is believed (JSON list). "
                    "Empty: the TCP peer is the client.")
    docs_public: bool = Field(
        False, description="In production, serve `/docs`, `/redoc` and `/openapi.json` without a key or login.")
    metrics_public: bool = Field(False, description="In production, serve `/metrics` without an API key.")
    api_key_cache_seconds: float = Field(
        5.0, ge=0, description="How long a process trusts an API key it has authenticated without reading it "
        "again (0: read on every request). A revocation reaches every process at once on PostgreSQL (NOTIFY) "
        "and the revoking process at once everywhere; on SQLite other processes refuse the key within this time.",
    )

    idempotency_lease_seconds: float = Field(
        30.0, description="How long a pending `Idempotency-Key` stays claimed by the process running it without a "
        "renewal; the process renews it while the request runs, and a retry takes over a pending key whose lease ran "
        "out or whose process (on the same host) is gone.",
    )
    idempotency_wait_seconds: float = Field(
        10.0, description="How long a retry waits for the first request with its `Idempotency-Key` to finish "
        "before answering 409.",
    )
    max_body_bytes: int = Field(
        1024 * 1024, description="Largest request body of an ordinary route (JSON, forms): larger ones are "
        "refused with 413 before more is read.",
    )
    max_bulk_bytes: int = Field(
        16 * 1024 * 1024, description="Largest request body of a bulk route (`POST /v1/notices/batch`).",
    )

    blocklist_shared_platforms: list[str] = Field(
        default_factory=lambda: list(SHARED_PLATFORMS),
        description="Registrable domains of shared platforms and CDNs that a blocking list refuses (a removal "
        "order to the platform is the tool there), JSON list; a subdomain or a parent of one is refused too.")
    blocklist_shared_ips: list[str] = Field(
        default_factory=lambda: list(SHARED_IP_NETWORKS),
        description="Addresses or CIDR networks that host many sites (CDNs, shared hosting): a blocking list "
        "refuses an IP entry in them (JSON list).")
    blocklist_default_expiry_days: int = Field(
        90, ge=1, description="A new list's default entry lifetime, in days (each list may set its own).")
    blocklist_max_expiry_days: int = Field(
        365, ge=1, description="A new list's longest entry lifetime, in days: nothing is blocked forever.")
    blocklist_reexamine_days: int = Field(
        91, ge=1, description="A new list's re-examination interval, in days (France: every three months).")
    blocklist_appeal_answer_days: int = Field(
        30, ge=1, description="Days within which the authority answers an appeal against an entry.")
    blocklist_zone_suffix: str = Field(
        "rpz.accord.invalid", description="The RPZ zone of a list is named `<list-name>.<suffix>`.")

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.mode == "production":
            for name in ("secret_key", "preservation_key"):
                value = getattr(self, name)
                if value in PLACEHOLDER_SECRETS or len(value) < 32:
                    msg = f"ACCORD_{name.upper()} must be a real secret of at least 32 characters in production"
                    raise ValueError(msg)
        return self

    @property
    def cookie_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.mode == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
