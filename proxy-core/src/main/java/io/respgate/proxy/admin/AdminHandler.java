package io.respgate.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.respgate.config.Secret;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

/**
 * Routes the admin requests: {@code GET /metrics}, {@code /healthz}, {@code /readyz},
 * {@code /policy} and {@code POST /reload}. With a token configured every request must carry
 * {@code Authorization: Bearer <token>}, compared in constant time.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String BEARER = "Bearer ";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final AdminActions actions;
    private final Secret token;
    private final Executor blocking;

    AdminHandler(AdminActions actions, Secret token, Executor blocking) {
        this.actions = actions;
        this.token = token;
        this.blocking = blocking;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!authorized(request)) {
            respond(ctx, keepAlive, HttpResponseStatus.UNAUTHORIZED, "text/plain", "unauthorized\n");
            return;
        }
        String path = request.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        HttpMethod method = request.method();
        switch (path) {
            case "/metrics" -> {
                if (get(ctx, method, keepAlive)) {
                    // Scraping walks every meter: off the event loop.
                    blocking.execute(() -> respond(ctx, keepAlive, HttpResponseStatus.OK, PROMETHEUS_TEXT,
                            actions.scrape()));
                }
            }
            case "/healthz" -> {
                if (get(ctx, method, keepAlive)) {
                    respond(ctx, keepAlive, HttpResponseStatus.OK, "text/plain", "ok\n");
                }
            }
            case "/readyz" -> {
                if (get(ctx, method, keepAlive)) {
                    actions.ready().whenComplete((ready, error) -> {
                        boolean ok = error == null && Boolean.TRUE.equals(ready);
                        respond(ctx, keepAlive, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                                "text/plain", ok ? "ready\n" : "not ready: Redis does not answer\n");
                    });
                }
            }
            case "/policy" -> {
                if (get(ctx, method, keepAlive)) {
                    respond(ctx, keepAlive, HttpResponseStatus.OK, "application/json", actions.policyJson());
                }
            }
            case "/reload" -> {
                if (method != HttpMethod.POST) {
                    respond(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "use POST\n");
                } else {
                    blocking.execute(() -> respond(ctx, keepAlive, HttpResponseStatus.OK, "application/json",
                            actions.reload()));
                }
            }
            default -> respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "text/plain",
                    "not found; try /metrics, /healthz, /readyz, /policy or POST /reload\n");
        }
    }

    private boolean get(ChannelHandlerContext ctx, HttpMethod method, boolean keepAlive) {
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            return true;
        }
        respond(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "use GET\n");
        return false;
    }

    private boolean authorized(FullHttpRequest request) {
        if (token == null) {
            return true;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.startsWith(BEARER)) {
            return false;
        }
        return token.matches(header.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status,
                                String contentType, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
