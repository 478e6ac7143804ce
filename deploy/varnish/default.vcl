# Varnish in front of Dossier (Debian's varnish 7.1 with varnish-modules: vmod xkey).
#
# Keeps public pages for anonymous readers, exactly as long as the app allows: the app marks every
# page it may share with `xkey` (its tags) and `s-maxage` (seconds until its next scheduled change).
# After each edit the worker (`manage.py alerts_worker`) sends `PURGE` with `xkey-purge: <tags>`
# (CACHE_PURGE_URLS), and the pages showing what changed are dropped. Everything else goes to the app
# untouched. Readers never see `xkey`: it is removed on the way out (vcl_deliver).
#
# While the app is down (the probe below, or an error answer), a page past its s-maxage is still
# served for up to a day (grace); while it is up, never.
#
# Run: varnishd -a :80 -f /etc/varnish/default.vcl -s malloc,256m ; the app: CACHE_PURGE_URLS=http://127.0.0.1:80/
# Replace dossier.example.org with your host name (the probe's Host must be in ALLOWED_HOSTS).
vcl 4.1;

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";  # gunicorn
    # /healthz answers 200 while the database, migrations and cache answer. Down after 2 failed probes
    # of the last 3 (at most 4-6 s), up again after 2 good ones.
    .probe = {
        .request = "GET /healthz HTTP/1.1"
                   "Host: dossier.example.org"
                   "Connection: close"
                   "User-Agent: Varnish health probe";
        .interval = 2s;
        .timeout = 2s;
        .window = 3;
        .threshold = 2;
        .initial = 2;  # counted as up when Varnish starts; the probes decide from then on
    }
}

# Who may purge: the app servers (here the same machine).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.restarts == 0) {
        unset req.http.X-Dossier-Stale-If-Error;  # set by vcl_deliver, never by a client
    }
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "xkey-purge header missing"));
        }
        return (synth(200, "Purged " + xkey.purge(req.http.xkey-purge)));
    }
    # Writes, the admin, preview/share links, the health check: always the app's own answer.
    if ((req.method != "GET" && req.method != "HEAD")
        || req.url ~ "^/(admin|preview)(/|$)"
        || req.url ~ "^/healthz") {
        return (pass);
    }
    # Signed-in staff see the site as the app renders it for them.
    if (req.http.Authorization || req.http.Cookie ~ "sessionid=") {
        return (pass);
    }
    # Public pages are the same for every reader: cookies (analytics, csrftoken) play no part.
    unset req.http.Cookie;
    # While the app is up, a page past its s-maxage is fetched anew, never served stale: it could show
    # a scheduled brief late or an expired one after its second. Grace is for when the app is down.
    if (std.healthy(req.backend_hint) && !req.http.X-Dossier-Stale-If-Error) {
        set req.grace = 0s;
    } else {
        set req.grace = 24h;  # a page's whole grace (set either way: a restart keeps the first pass's)
    }
    return (hash);
}

sub vcl_backend_fetch {
    unset bereq.http.X-Dossier-Stale-If-Error;
}

sub vcl_backend_response {
    if (beresp.status >= 500) {
        if (bereq.is_bgfetch) {
            return (abandon);  # keep the page we have rather than an error
        }
        # Not even "hit-for-miss": an error must not hide a kept page from vcl_deliver's second look.
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (bereq.url !~ "^/static/") {
        # Keep only what the app tagged for shared caches: a page without xkey (an error, an odd query
        # string, a page rendered while an edit was saved, a feed) is fetched anew every time.
        if (!beresp.http.xkey || beresp.http.Cache-Control !~ "s-maxage=[1-9]" || beresp.http.Set-Cookie) {
            set beresp.ttl = 120s;
            set beresp.uncacheable = true;  # "hit-for-miss": the next answer may be kept again
            return (deliver);
        }
        # beresp.ttl comes from s-maxage. The grace is used only while the app is down (vcl_recv): an edit
        # purges the page outright (xkey.purge), so what grace serves is a page no edit has touched.
        set beresp.grace = 24h;
        set beresp.keep = 0s;
        return (deliver);
    }
    # Static files: whitenoise's headers (far-future for hashed names) and Varnish's built-in rules.
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);  # the app is down: keep serving the page we have
    }
    # Varnish's error page, kept for no time at all (by default it would get the 10 s default_grace and
    # hide a kept page from vcl_deliver's second look).
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    set beresp.uncacheable = true;
}

sub vcl_deliver {
    # stale-if-error: the app answered an error, or could not be reached, before the probe noticed it is
    # down. Look once more, allowing grace: a page kept earlier is better than an error page.
    if (resp.status >= 500 && req.restarts == 0 && (req.method == "GET" || req.method == "HEAD")) {
        set req.http.X-Dossier-Stale-If-Error = "1";
        return (restart);
    }
    unset resp.http.xkey;  # for caches, not readers
}
