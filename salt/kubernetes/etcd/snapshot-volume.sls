{#- Brings an EBS snapshot of the snapshot volume back on this master, and gives it back afterwards (docs/aws.md).
    Pillar etcd_restore:ebs_snapshot: `latest` or a snapshot id (of etcd_restore:cluster_name, default cluster_name;
    another cluster's only with etcd_restore:allow_other_cluster) creates a volume from it in this master's zone,
    attaches it and mounts it read-only at etcd_restore:snapshot_dir (nothing to do when something is mounted there
    already); `release` unmounts it, then detaches and deletes every volume brought back to this master.
    kubernetes.etcd.restored includes this state with `latest` or an id and releases the volume itself once both
    clusters are restored; `release` here is for cleaning up by hand. The states are the macros of volume.jinja. -#}
{%- from "kubernetes/map.jinja" import restore with context %}
{%- from "kubernetes/etcd/volume.jinja" import mounted, released with context %}
{%- set mode = restore.ebs_snapshot|string|trim %}
include:
  - kubernetes.etcd.restore-tools

{%- if restore.errors %}
etcd-snapshot-volume:
  test.fail_without_changes:
    - comment: {{ ('etcd_restore pillar: ' ~ restore.errors|join('; '))|json }}

{%- elif not mode %}
etcd-snapshot-volume:
  test.succeed_without_changes:
    - comment: pillar etcd_restore:ebs_snapshot is empty; set it to latest, a snapshot id, or release

{%- elif mode == 'release' %}
{{ released(restore) }}

{%- else %}
{{ mounted(restore, mode) }}
{%- endif %}
