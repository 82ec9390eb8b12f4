package io.respgate.proxy.tls;

import io.netty.handler.ssl.SslContext;

import java.security.cert.X509Certificate;

/** A built TLS context and the leaf certificate it presents (null when it presents none). */
record BuiltContext(SslContext context, X509Certificate leaf) {
}
