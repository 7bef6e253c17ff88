package io.etcdsnapshotter.restore;

import java.util.List;

/**
 * The v2 store etcd 3.4/3.5 keep membership in, as Go's json.Marshal of the store writes it into a .snap: only
 * /0/members/<id>/raftAttributes per member and an empty /1, created in ascending ID order at indexes 1..N. etcd
 * 3.6+ read membership from the backend but still load this file, and etcdutl 3.6 writes the same content.
 */
final class V2StoreJson {
  /** The watcher hub's event queue: readers index a fixed array of this length. */
  private static final int EVENT_CAPACITY = 1000;
  private static final String[] STATS = {"getsSuccess", "getsFail", "setsSuccess", "setsFail", "deleteSuccess",
      "deleteFail", "updateSuccess", "updateFail", "createSuccess", "createFail", "compareAndSwapSuccess",
      "compareAndSwapFail", "compareAndDeleteSuccess", "compareAndDeleteFail", "expireCount", "watchers"};

  private V2StoreJson() {}

  static String of(List<Member> sortedMembers) {
    int n = sortedMembers.size();
    return "{\"Root\":" + dir("/", 0, "{\"0\":" + dir("/0", 0, "{\"members\":" + dir("/0/members", 1,
        membersChildren(sortedMembers)) + "}") + ",\"1\":" + dir("/1", 0, "{}") + "}")
        + ",\"WatcherHub\":{\"EventHistory\":{\"Queue\":{\"Events\":" + events(sortedMembers)
        + ",\"Size\":" + n + ",\"Front\":0,\"Back\":" + n + ",\"Capacity\":" + EVENT_CAPACITY + "}"
        + ",\"StartIndex\":1,\"LastIndex\":" + n + "}},\"CurrentIndex\":" + n + ",\"Stats\":" + stats(n)
        + ",\"CurrentVersion\":2}";
  }

  /** Children keyed by hex ID; Go sorts map keys as strings, which is not numeric order for unequal lengths. */
  private static String membersChildren(List<Member> sortedMembers) {
    java.util.TreeMap<String, String> children = new java.util.TreeMap<>();
    for (int i = 0; i < sortedMembers.size(); i++) {
      Member member = sortedMembers.get(i);
      String path = "/0/members/" + member.hexId();
      int index = i + 1;
      String attributes = node(path + "/raftAttributes", index, GoJson.quote(member.raftAttributesJson()), "null");
      children.put(member.hexId(), dir(path, index, "{\"raftAttributes\":" + attributes + "}"));
    }
    StringBuilder json = new StringBuilder("{");
    children.forEach((key, node) -> json.append(json.length() > 1 ? "," : "").append(GoJson.quote(key))
        .append(':').append(node));
    return json.append('}').toString();
  }

  /** A directory has Children as an object (maybe {}); a key has null. Readers tell them apart by that alone. */
  private static String dir(String path, int index, String children) {
    return node(path, index, "\"\"", children);
  }

  private static String node(String path, int index, String quotedValue, String children) {
    return "{\"Path\":" + GoJson.quote(path) + ",\"CreatedIndex\":" + index + ",\"ModifiedIndex\":" + index
        + ",\"ExpireTime\":\"0001-01-01T00:00:00Z\",\"Value\":" + quotedValue + ",\"Children\":" + children + "}";
  }

  private static String events(List<Member> sortedMembers) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < EVENT_CAPACITY; i++) {
      json.append(i == 0 ? "" : ",");
      if (i < sortedMembers.size()) {
        Member member = sortedMembers.get(i);
        json.append("{\"action\":\"create\",\"node\":{\"key\":")
            .append(GoJson.quote("/0/members/" + member.hexId() + "/raftAttributes"))
            .append(",\"value\":").append(GoJson.quote(member.raftAttributesJson()))
            .append(",\"modifiedIndex\":").append(i + 1).append(",\"createdIndex\":").append(i + 1).append("}}");
      } else {
        json.append("null");
      }
    }
    return json.append(']').toString();
  }

  private static String stats(int members) {
    StringBuilder json = new StringBuilder("{");
    for (String stat : STATS) {
      json.append(json.length() > 1 ? "," : "").append('"').append(stat).append("\":")
          .append(stat.equals("createSuccess") ? members : 0);
    }
    return json.append('}').toString();
  }
}
