package io.etcdsnapshotter.bolt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A freelist as the restore writes it reads back as bbolt reads it, below and past the 65,535 ids a page header's
 * count field holds (beyond it the true count comes before the ids, and the ids start 8 bytes later).
 */
class FreelistPageTest {
  private static final int PAGE = 4096;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 510, 0xFFFE, 0xFFFF, 70_000})
  void idsReadBackAtTheirPlaceWhateverTheCount(int count) throws BoltFormatException {
    int pages = FreelistPage.pages(count, PAGE);
    ByteBuffer image = ByteBuffer.allocate(pages * PAGE).order(ByteOrder.LITTLE_ENDIAN);
    image.put(FreelistPage.head(9, count, PAGE));
    for (long id = 0; id < count; id++) {
      image.putLong(10 + 3 * id);
    }
    Page page = new Page(image, 0, pages * PAGE, problem -> new BoltFormatException(problem));

    assertThat(page.flags).isEqualTo(Page.FREELIST);
    assertThat(page.overflow).isEqualTo(pages - 1);
    assertThat(FreelistPage.count(page)).isEqualTo(count);
    for (int i : new int[] {0, count / 2, count - 1}) {
      if (count > 0) {
        assertThat(FreelistPage.id(page, i)).as("id %d", i).isEqualTo(10 + 3L * i);
      }
    }
    assertThat((long) pages * PAGE).as("the ids fill at most the pages taken")
        .isGreaterThanOrEqualTo(FreelistPage.idsAt(count) + 8L * count);
  }
}
