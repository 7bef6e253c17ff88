package io.etcdsnapshotter.e2e.tls;

import java.nio.file.Path;

/**
 * PEM files of a kube-apiserver's test PKI: a CA, the server's certificate for 127.0.0.1, an admin client
 * certificate in group system:masters, and the key pair that signs service-account tokens: the server reads the
 * public half from its own file, since it verifies with no PKCS#8 EC private key (client-go keyutil reads SEC1 only).
 */
public record ApiServerTls(Path caCert, Path serverCert, Path serverKey, Path adminCert, Path adminKey,
    Path serviceAccountKey, Path serviceAccountPublicKey) {}
