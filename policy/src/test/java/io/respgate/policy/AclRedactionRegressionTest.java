package io.respgate.policy;

import io.respgate.policy.acl.AclRuleException;
import io.respgate.policy.acl.AclRules;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plaintext passwords kept out of ACL rule errors; found by {@link PolicyParserPropertyTest}. */
class AclRedactionRegressionTest {

    /**
     * A plaintext password that does not start a word was quoted in the error: {@code on>secret}, or
     * {@code on\u00a0>secret} with a non-breaking space (as copied from a web page), which is no
     * separator, so the whole word is one unknown rule and the message quotes it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"on>hunter2 ~*", "on\u00a0>hunter2", "off\u00a0<hunter2", "+get>hunter2",
            "(+get\u00a0>hunter2)", "on\u2003>hunter2"})
    void aPlaintextPasswordInsideAWordIsNotEchoed(String rules) {
        AclRuleException e = assertThrows(AclRuleException.class, () -> AclRules.parse(rules));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("(redacted)"), e.getMessage());
        PolicyException p = assertThrows(PolicyException.class, () -> PolicyUser.compile(UserSpec.of("app", rules)));
        assertFalse(p.getMessage().contains("hunter2"), p.getMessage());
    }
}
