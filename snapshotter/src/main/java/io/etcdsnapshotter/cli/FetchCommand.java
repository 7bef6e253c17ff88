package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.UsageException;
import io.etcdsnapshotter.files.PrivateFiles;
import io.etcdsnapshotter.s3.ObjectDownload;
import io.etcdsnapshotter.s3.S3;
import io.etcdsnapshotter.s3.S3Location;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Downloads a snapshot copy from S3 into a local file, checked against the SHA-256 its metadata records: what"
          + " kubernetes.etcd.restored does before restoring from S3.",
      "The object is streamed into a private scratch file beside DEST and renamed over DEST only once it matched;"
          + " DEST is 0600, its new parent dirs 0700. A DEST that already holds the object is left as it is.",
      "With --resolve nothing is downloaded: the object SOURCE names (the newest for .../latest) is printed as"
          + " s3://BUCKET/KEY, for pinning one object for every master before any of them restores.",
      "Exit codes: 0 fetched (or already there, or resolved), 1 failed (DEST untouched), 2 usage error."
    })
final class FetchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "s3://BUCKET/KEY[?versionId=ID], or"
      + " s3://BUCKET/[PREFIX/]CLUSTER-NAME/CLUSTER/latest for the newest copy of that etcd cluster.")
  String source;

  @Parameters(index = "1", paramLabel = "DEST", arity = "0..1", description = "The file to write (not with"
      + " --resolve).")
  Path dest;

  @Option(names = "--resolve", description = "Print the object SOURCE names and its SHA-256; download nothing.")
  boolean resolve;

  @Mixin S3Options s3;

  @Override
  public Integer call() throws Exception {
    if (!resolve && dest == null) {
      throw new UsageException("give DEST, the file to write, or --resolve");
    }
    S3Location location = S3Location.parse(source, "SOURCE");
    PrintWriter out = spec.commandLine().getOut();
    try (S3 client = s3.connect()) {
      ObjectDownload download = new ObjectDownload(client);
      ObjectDownload.Found found = download.find(location);
      if (resolve) {
        out.println(found.location() + " " + found.sha256());
      } else if (ObjectDownload.holds(found, dest)) {
        out.println(dest + " already holds " + found.location() + " (sha256 " + found.sha256() + ")");
      } else {
        fetch(download, found);
        out.println("fetched " + found.location() + " (" + found.size() + " bytes, sha256 " + found.sha256()
            + ") into " + dest);
      }
    }
    out.flush();
    return 0;
  }

  /** Into a scratch file beside DEST, renamed over it only once checked. */
  private void fetch(ObjectDownload download, ObjectDownload.Found found) throws IOException {
    Path target = dest.toAbsolutePath();
    PrivateFiles.createDirectories(target.getParent());
    try (SnapshotFile file = SnapshotFile.downloaded(download, found, target.getParent(),
        "." + target.getFileName() + ".fetch-")) {
      PrivateFiles.replace(file.path(), target);
    }
  }
}
