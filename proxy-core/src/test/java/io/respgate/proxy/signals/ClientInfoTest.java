package io.respgate.proxy.signals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientInfoTest {
    static final String REDIS7 = "id=7 addr=127.0.0.1:51234 laddr=127.0.0.1:6379 fd=8 name=backup-job age=12 idle=0"
            + " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024"
            + " rbp=0 obl=0 oll=0 omem=0 tot-mem=22298 events=r cmd=client|list user=default redir=-1 resp=2\n";

    @Test
    void readsTheFieldsTheDetectorJudges() throws Exception {
        ClientInfo c = ClientInfo.parse(REDIS7.strip());
        assertEquals(7, c.id());
        assertEquals("127.0.0.1:51234", c.addr());
        assertEquals(InetAddress.getByName("127.0.0.1"), c.ip());
        assertEquals(51234, c.port());
        assertEquals(12, c.age());
        assertEquals("default", c.user());
        assertEquals("backup-job", c.name());
        assertEquals("client|list", c.command());
    }

    @Test
    void readsAWholeReplyWithCrlfAndEmptyNames() {
        List<ClientInfo> clients = ClientInfo.parseList(REDIS7.replace("\n", "\r\n")
                + "id=9 addr=10.1.2.3:40000 name= age=0 cmd=NULL user=app\r\n");
        assertEquals(2, clients.size());
        assertEquals("", clients.get(1).name());
        assertEquals("NULL", clients.get(1).command());
        assertEquals(List.of(), ClientInfo.parseList(""));
    }

    @Test
    void ipv6InBracketsAndUnixSockets() throws Exception {
        ClientInfo v6 = ClientInfo.parse("id=1 addr=[::1]:40001 age=1 user=default cmd=get");
        assertEquals(InetAddress.getByName("::1"), v6.ip());
        assertEquals(40001, v6.port());
        ClientInfo scoped = ClientInfo.parse("id=1 addr=[fe80::1%eth0]:40001 age=1");
        assertEquals(InetAddress.getByName("fe80::1"), scoped.ip());
        ClientInfo unix = ClientInfo.parse("id=2 addr=/run/redis/redis.sock:0 laddr=/run/redis/redis.sock:0 age=3");
        assertNull(unix.ip());
        assertEquals("/run/redis/redis.sock:0", unix.addr());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "redis.internal", "1.2.3", "1.2.3.4.5", "", "[]", "abc", "/tmp/x.sock"})
    void onlyLiteralsAreAddressesAndNothingIsLookedUp(String host) {
        assertNull(ClientInfo.ipLiteral(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"addr=1.2.3.4:1 age=1", "id=x addr=1.2.3.4:1 age=1", "id=1 age=1", "id=1 addr=1.2.3.4:1",
            "id=1 addr=1.2.3.4 age=1", "id=1 addr=1.2.3.4:x age=1", "id=-1 addr=1.2.3.4:1 age=1", "garbage"})
    void linesWithoutIdAddrOrAgeAreRejectedWithoutQuotingThem(String line) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientInfo.parse(line));
        assertTrue(e.getMessage().startsWith("a CLIENT LIST "), e.getMessage());
        assertTrue(!e.getMessage().contains("1.2.3.4"), e.getMessage());
    }

    @Test
    void controlCharactersNeverReachALogLine() {
        ClientInfo c = ClientInfo.parse("id=1 addr=1.2.3.4:5 age=1 name=a\u001b[31mb cmd=get\u0007");
        assertEquals("a?[31mb", c.name());
        assertEquals("get?", c.command());
    }
}
