{#- Reactor of the Salt master for the event etcd-snapshotter/etcd/quorum-lost (data {cluster, minion}), which a master
    sends when its etcd cluster has lost quorum. Wire it up in the Salt master's config:
      reactor:
        - 'etcd-snapshotter/etcd/quorum-lost':
          - salt://kubernetes/etcd/reactor/quorum-lost.sls
    Off by default: it then only logs, on the Salt master, which command restores every master. With
    etcd_recovery:restore_when_quorum_lost true (the Salt master's config, or its own pillar) it runs that command,
    the orchestration kubernetes.etcd.cluster-restored, with etcd_recovery:restore_pillar (default: the newest EBS
    snapshot). Every master reports the same loss, and members come back slowly after a restore: a restore runs at most
    once per etcd_recovery:restore_interval_seconds (default 3600), counted from the start of the last one. -#}
{%- set payload = data.data if data.get('data') is mapping else data %}
{%- set lost = 'etcd quorum lost (cluster ' ~ payload.get('cluster', '?') ~ ', reported by ' ~ payload.get('minion', data.get('id', '?')) ~ ')' %}
{%- set restore_pillar = salt['config.get']('etcd_recovery:restore_pillar', {'etcd_restore': {'ebs_snapshot': 'latest'}}) %}
{%- set command = "salt-run state.orchestrate kubernetes.etcd.cluster-restored pillar='" ~ restore_pillar|json ~ "'" %}
{%- set interval = salt['config.get']('etcd_recovery:restore_interval_seconds', 3600)|int %}
{%- set marker = opts['cachedir'] ~ '/etcd-recovery/restore-started' %}
{%- set started = salt['file.stats'](marker).get('mtime', 0) if salt['file.file_exists'](marker) else 0 %}
{%- set ago = None|strftime('%s')|int - started|int %}

{%- if not salt['config.get']('etcd_recovery:restore_when_quorum_lost', False)|to_bool %}
{%-   do salt['log.warning'](lost ~ ': not restoring by itself (etcd_recovery:restore_when_quorum_lost is off); '
        ~ 'bring the members back, or restore every master from the newest snapshot with: ' ~ command) %}
{%- elif started and ago < interval %}
{%-   do salt['log.warning'](lost ~ ': not restoring again, a restore started ' ~ ago ~ ' s ago (at most one per '
        ~ 'etcd_recovery:restore_interval_seconds, ' ~ interval ~ ' s); see its outcome in the job cache') %}
{%- else %}
{#-   Rendering is serial in the reactor, so this marker is what stops the same loss reported by the other masters. -#}
{%-   do salt['file.mkdir'](opts['cachedir'] ~ '/etcd-recovery') %}
{%-   do salt['file.touch'](marker) %}
{%-   do salt['log.warning'](lost ~ ': restoring every master, as etcd_recovery:restore_when_quorum_lost allows: '
        ~ command) %}
etcd-restore-when-quorum-lost:
  runner.state.orchestrate:
    - args:
      - mods: kubernetes.etcd.cluster-restored
      - pillar: {{ restore_pillar|json }}
{%- endif %}
