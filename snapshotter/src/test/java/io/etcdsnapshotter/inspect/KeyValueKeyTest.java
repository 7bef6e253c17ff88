package io.etcdsnapshotter.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Values in protobuf wire format, written out in hex. Every case was also decoded by etcd 3.6.16's own
 * {@code mvccpb.KeyValue.Unmarshal}: the same key, or an error with the same message.
 */
class KeyValueKeyTest {

  @ParameterizedTest
  @CsvSource({
    // key "foo", create_revision 2, mod_revision 3, version 1, value "bar", lease 7: what etcd writes
    "0a03666f6f1002180320012a036261723007, foo",
    // the bump entry's value: no field at all
    "'', ''",
    // no key field, only a value
    "2a03626172, ''",
    // the key field twice: the last one wins
    "0a03666f6f0a03626172, bar",
    // unknown fields of every wire type are skipped: 7 varint, 8 fixed64, 9 bytes, 10 a group holding field 11,
    // 12 fixed32; then the same after a key
    "38ff01 410102030405060708 4a026869 53580154 6501020304, ''",
    "0a016b 38ff01 410102030405060708 4a026869 53580154 6501020304, k",
    // a ten-byte varint is the longest gogo reads
    "10ffffffffffffffffff010a016b, k"
  })
  void readsTheKeyAsEtcdDoes(String hex, String key) {
    assertThat(key(hex.replace(" ", ""))).isEqualTo(key);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "0a05666f6f | unexpected EOF",
    "0a | unexpected EOF",
    "10 | unexpected EOF",
    "1080 | unexpected EOF",
    "08 01 | proto: wrong wireType = 0 for field Key",
    "1203616263 | proto: wrong wireType = 2 for field CreateRevision",
    "1d01020304 | proto: wrong wireType = 5 for field ModRevision",
    "2101020304050607 08 | proto: wrong wireType = 1 for field Version",
    "2801 | proto: wrong wireType = 0 for field Value",
    "3201 | proto: wrong wireType = 2 for field Lease",
    "0001 | proto: KeyValue: illegal tag 0 (wire type 0)",
    "0c | proto: KeyValue: wiretype end group for non-group",
    "3e | proto: illegal wireType 6",
    "53 | unexpected EOF",
    "5358 | unexpected EOF",
    "4103 | unexpected EOF",
    "4a05 6869 | unexpected EOF",
    "10ffffffffffffffffffff01 | proto: integer overflow",
    "0affffffffffffffffff01 | proto: negative length found during unmarshaling"
  })
  void refusesWhatEtcdRefuses(String hex, String reason) {
    assertThatThrownBy(() -> key(hex.replace(" ", ""))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(reason);
  }

  @Test
  void leavesTheValueBufferAsItWasAndReadsFromItsPosition() {
    ByteBuffer framed = ByteBuffer.wrap(HexFormat.of().parseHex("ffff0a03666f6fffff"), 2, 5);
    assertThat(text(new KeyValueKey().of(framed))).isEqualTo("foo");
    assertThat(framed.position()).isEqualTo(2);
    assertThat(framed.limit()).isEqualTo(7);
  }

  @Test
  void oneDecoderServesManyValues() {
    KeyValueKey decoder = new KeyValueKey();
    assertThat(text(decoder.of(value("0a03666f6f")))).isEqualTo("foo");
    assertThatThrownBy(() -> decoder.of(value("0a09"))).hasMessage("unexpected EOF");
    assertThat(text(decoder.of(value("0a0162")))).isEqualTo("b");
  }

  private static String key(String hex) {
    return text(new KeyValueKey().of(value(hex)));
  }

  private static ByteBuffer value(String hex) {
    return ByteBuffer.wrap(HexFormat.of().parseHex(hex)).asReadOnlyBuffer();
  }

  private static String text(ByteBuffer key) {
    return StandardCharsets.UTF_8.decode(key).toString();
  }
}
