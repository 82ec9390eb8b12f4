package io.respgate.proxy;

/** Fired at every client channel on shutdown: finish the replies owed, read nothing new, close. */
enum DrainRequest {
    INSTANCE
}
