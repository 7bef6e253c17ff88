package io.etcdsnapshotter.e2e.tls;

import java.nio.file.Path;

/**
 * PEM files of a test PKI: a CA, a server certificate for 127.0.0.1 and a client certificate it signed, and an
 * unrelated CA that trusts neither (for "wrong CA" tests).
 */
public record TlsMaterial(
    Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey, Path otherCaCert) {}
