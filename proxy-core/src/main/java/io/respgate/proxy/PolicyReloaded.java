package io.respgate.proxy;

/** Fired at every client channel after a policy swap: sessions of removed or disabled users close. */
enum PolicyReloaded {
    INSTANCE
}
