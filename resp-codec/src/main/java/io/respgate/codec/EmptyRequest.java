package io.respgate.codec;

/**
 * A request without arguments: {@code *0}, {@code *-1} or a blank inline line. Redis runs nothing for
 * it and sends nothing, but it still ends a request there ({@code resetClient} in
 * {@code networking.c}), which uses up a pending {@code CLIENT REPLY SKIP} or {@code CLIENT CACHING}.
 * The decoder emits it in its place among the frames so that the session can account for it.
 */
public enum EmptyRequest {
    INSTANCE
}
