package io.respgate.proxy.posture;

import java.util.ArrayList;
import java.util.List;

/**
 * Do RespGate's credentials work? If Redis refuses them, RespGate forwards nothing, and the checks
 * that need a session could not run.
 */
final class ProxyLoginCheck implements PostureCheck {
    static final String ID = "redis-login";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> run(Deployment d) {
        List<Finding> out = new ArrayList<>(2);
        Login proxy = d.redis().proxyLogin();
        if (proxy.signedIn()) {
            String note = d.upstream().password().isPresent() ? ""
                    : " (RespGate has no password for Redis, so it sends no AUTH and its connections are the"
                    + " user 'default')";
            out.add(Finding.pass(ID, proxy.role() + " sign in to Redis as user '" + proxy.user() + "'" + note));
        } else {
            out.add(Finding.fail(ID, proxy.failure(), "check upstream.address, upstream.username and the password"
                    + " (upstream.password_env or upstream.password_file) against Redis: RespGate cannot forward"
                    + " anything while this fails"));
        }
        d.redis().inspectorLogin().ifPresent(inspector -> out.add(inspector.signedIn()
                ? Finding.pass(ID, inspector.role() + " sign in to Redis as user '" + inspector.user() + "'")
                : Finding.warn(ID, inspector.failure(), "check --inspect-user and --inspect-password-env")));
        return out;
    }
}
