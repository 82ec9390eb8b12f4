package io.respgate.proxy.posture;

import io.respgate.proxy.json.Json;
import java.util.List;

/** Renders findings for people (one line each) or for machines (a JSON array). */
public final class PostureReport {
    private PostureReport() {
    }

    /** {@code STATUS  id  finding  fix: how}, one line per finding; no {@code fix:} part when there is nothing to fix. */
    public static String text(List<Finding> findings) {
        StringBuilder out = new StringBuilder();
        for (Finding f : findings) {
            out.append(f.status()).append("  ").append(f.id()).append("  ").append(Text.oneLine(f.finding()));
            if (!f.fix().isEmpty()) {
                out.append("  fix: ").append(Text.oneLine(f.fix()));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** A JSON array of {@code {"id", "status", "finding", "fix"}} objects, one per line. */
    public static String json(List<Finding> findings) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            out.append(i == 0 ? "\n  " : ",\n  ")
                    .append("{\"id\": ").append(Json.quote(f.id()))
                    .append(", \"status\": ").append(Json.quote(f.status().name()))
                    .append(", \"finding\": ").append(Json.quote(f.finding()))
                    .append(", \"fix\": ").append(Json.quote(f.fix())).append('}');
        }
        return out.append(findings.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    /** The worst status among the findings; PASS for none. */
    public static Status worst(List<Finding> findings) {
        Status worst = Status.PASS;
        for (Finding f : findings) {
            worst = worst.worse(f.status());
        }
        return worst;
    }
}
