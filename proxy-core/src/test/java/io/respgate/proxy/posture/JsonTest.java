package io.respgate.proxy.posture;

import io.respgate.proxy.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTest {
    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\"", Json.quote("a\"b\\c"));
        assertEquals("\"\\n\\r\\t\\b\\f\"", Json.quote("\n\r\t\b\f"));
        assertEquals("\"\\u0000\\u001f\"", Json.quote("\u0000\u001f"));
        assertEquals("\"\"", Json.quote(""));
        assertEquals("\"/ and \u007f stay\"", Json.quote("/ and \u007f stay"));
    }

    @Test
    void escapesJavaScriptLineSeparatorsAndLoneSurrogates() {
        assertEquals("\"\\u2028\\u2029\"", Json.quote("\u2028\u2029"));
        assertEquals("\"\\ud800x\\udc00\"", Json.quote("\ud800x\udc00"));
    }

    @Test
    void keepsNonAsciiTextAndSurrogatePairs() {
        assertEquals("\"é ü 😀\"", Json.quote("é ü 😀"));
    }

    @Test
    void everyStringRoundTripsThroughAStrictReader() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x300; c++) {
            all.append(c);
        }
        List<String> samples = List.of(all.toString(), "C:\\dir\\\"x\"", "line\nbreak", "\u2028", "😀", "tab\there");
        for (String sample : samples) {
            assertEquals(sample, StrictJson.string(Json.quote(sample)));
        }
    }

    @Test
    void theJsonReportIsAnArrayOfFlatObjects() {
        List<Finding> findings = List.of(
                Finding.pass("redis-bind", "bind \"127.0.0.1\""),
                Finding.fail("redis-dir-permissions", "dir C:\\x\nis open", "chmod 700"));
        List<Map<String, String>> parsed = StrictJson.arrayOfObjects(PostureReport.json(findings));
        assertEquals(2, parsed.size());
        assertEquals(Map.of("id", "redis-bind", "status", "PASS", "finding", "bind \"127.0.0.1\"", "fix", ""),
                parsed.get(0));
        assertEquals("dir C:\\x\nis open", parsed.get(1).get("finding"));
        assertEquals("FAIL", parsed.get(1).get("status"));
        assertEquals(List.of(), StrictJson.arrayOfObjects(PostureReport.json(List.of())));
    }

    @Test
    void theTextReportHasOneLinePerFindingAndAFixOnlyWhenThereIsOne() {
        String text = PostureReport.text(List.of(
                Finding.pass("redis-bind", "fine"),
                Finding.warn("redis-protected-mode", "off\nnow", "turn it on")));
        assertEquals("PASS  redis-bind  fine\nWARN  redis-protected-mode  off now  fix: turn it on\n", text);
    }

    @Test
    void theWorstStatusDecides() {
        assertEquals(Status.PASS, PostureReport.worst(List.of()));
        assertEquals(Status.SKIP, PostureReport.worst(List.of(Finding.pass("a", ""), Finding.skip("b", ""))));
        assertEquals(Status.FAIL, PostureReport.worst(List.of(Finding.fail("a", "", "x"), Finding.warn("b", "", "y"))));
    }
}
