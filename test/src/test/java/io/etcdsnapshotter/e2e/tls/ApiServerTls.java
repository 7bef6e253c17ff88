package io.etcdsnapshotter.e2e.tls;

import java.nio.file.Path;

/**
 * PEM files of a kube-apiserver's test PKI: a CA, the server's certificate for 127.0.0.1, an admin client
 * certificate in group system:masters, and the private key that signs (and verifies) service-account tokens.
 */
public record ApiServerTls(
    Path caCert, Path serverCert, Path serverKey, Path adminCert, Path adminKey, Path serviceAccountKey) {}
