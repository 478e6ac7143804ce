# Varnish in front of Dossier (Debian's varnish 7.1 with varnish-modules: vmod xkey).
#
# Keeps public pages for anonymous readers, exactly as long as the app allows: the app marks every
# page it may share with `xkey` (its tags) and `s-maxage` (seconds until its next scheduled change).
# After each edit the app sends `PURGE` with `xkey-purge: <tags>` (CACHE_PURGE_URLS), and the pages
# showing what changed are dropped at once. Everything else goes to the app untouched.
#
# Run: varnishd -a :80 -f /etc/varnish/default.vcl -s malloc,256m ; the app: CACHE_PURGE_URLS=http://127.0.0.1:80/
vcl 4.1;

import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";  # gunicorn
}

# Who may purge: the app servers (here the same machine).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
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
    return (hash);
}

sub vcl_backend_response {
    if (bereq.url !~ "^/static/") {
        # Keep only what the app tagged for shared caches: a page without xkey (an error, an odd query
        # string, a page rendered while an edit was saved, a feed) is fetched anew every time.
        if (!beresp.http.xkey || beresp.http.Cache-Control !~ "s-maxage=[1-9]" || beresp.http.Set-Cookie) {
            set beresp.ttl = 120s;
            set beresp.uncacheable = true;  # "hit-for-miss": the next answer may be kept again
            return (deliver);
        }
        # beresp.ttl comes from s-maxage. No grace: a stale page past its second would show a scheduled
        # brief late, or an expired one after its expiry.
        set beresp.grace = 0s;
        set beresp.keep = 0s;
        return (deliver);
    }
    # Static files: whitenoise's headers (far-future for hashed names) and Varnish's built-in rules.
}

sub vcl_deliver {
    unset resp.http.xkey;  # for caches, not readers
}
