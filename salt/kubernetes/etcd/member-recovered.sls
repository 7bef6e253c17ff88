{#- One look of automatic recovery, what the schedule of kubernetes.etcd.recovery-schedule applies on each master:
    kubernetes.etcd.member-replaced in automatic mode. Per cluster of etcd_replace:clusters, this master's member is
    replaced only after etcd_recovery:failures successive looks found it failing while the others hold quorum, and
    never restored: quorum lost that long fails the look, naming the restore to run, and sends the Salt event
    etcd-snapshotter/etcd/quorum-lost once. Applying it by hand is one more look. -#}
{%- set automatic = True %}
{%- include "kubernetes/etcd/member-replaced.sls" %}
