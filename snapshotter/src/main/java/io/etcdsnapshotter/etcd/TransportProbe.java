package io.etcdsnapshotter.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Asks an endpoint which transport it speaks, after a connection failed in a way that hides it: a TLS client that
 * meets a plain server only sees the channel close, and a plain client that meets a TLS server only sees "network
 * closed". Each probe sends the other side's opening bytes and looks at the first bytes of the answer.
 */
final class TransportProbe {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  /** An empty SETTINGS frame: length 0, type 4, no flags, stream 0. */
  private static final byte[] SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};
  private static final int FRAME_HEADER = 9;
  private static final int SETTINGS_TYPE = 4;
  private static final int TLS_ALERT = 0x15;
  private static final int TLS_HANDSHAKE = 0x16;

  private TransportProbe() {}

  /** True when the endpoint answers the HTTP/2 preface in the clear, as a plain etcd does; false on anything else. */
  static boolean speaksPlainHttp2(URI endpoint, Duration timeout) {
    byte[] request = Arrays.copyOf(PREFACE, PREFACE.length + SETTINGS.length);
    System.arraycopy(SETTINGS, 0, request, PREFACE.length, SETTINGS.length);
    byte[] answer = exchange(endpoint, timeout, request, FRAME_HEADER);
    return answer.length == FRAME_HEADER && answer[3] == SETTINGS_TYPE;
  }

  /** True when the endpoint answers a TLS ClientHello with a TLS record (handshake or alert); false otherwise. */
  static boolean speaksTls(URI endpoint, Duration timeout) {
    byte[] answer = exchange(endpoint, timeout, clientHello(endpoint), 1);
    return answer.length == 1 && (answer[0] == TLS_HANDSHAKE || answer[0] == TLS_ALERT);
  }

  private static byte[] exchange(URI endpoint, Duration timeout, byte[] request, int answerBytes) {
    if (request.length == 0) {
      return request;
    }
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), millis);
      socket.setSoTimeout(millis);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = socket.getInputStream();
      return in.readNBytes(answerBytes);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** The first flight of a TLS client, made by the JDK's own engine; empty if it cannot make one. */
  private static byte[] clientHello(URI endpoint) {
    try {
      SSLEngine engine = SSLContext.getDefault().createSSLEngine(endpoint.getHost(), endpoint.getPort());
      engine.setUseClientMode(true);
      ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(ByteBuffer.allocate(0), out);
      return Arrays.copyOf(out.array(), out.position());
    } catch (IOException | NoSuchAlgorithmException e) {
      return new byte[0];
    }
  }
}
