package io.etcdsnapshotter.aws;

import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/** One AWS service's client as this tool uses it: every failed request becomes one line naming where and what. */
public abstract class AwsClient<C extends SdkAutoCloseable> implements AutoCloseable {
  private final C client;
  private final String where;

  /** {@code where}: the service as the operator should read it, e.g. "S3 at http://127.0.0.1:5000". */
  protected AwsClient(C client, String where) {
    this.client = client;
    this.where = where;
  }

  public C client() {
    return client;
  }

  /** Runs one request; {@code action} completes "cannot ..." in the message of a failure. */
  public <T> T call(String action, Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkException e) {
      throw AwsException.failed(where, action, e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
