{#- Reactor of the Salt master for the event etcd-snapshotter/etcd/quorum-lost (data {cluster, minion, ...}), which
    kubernetes.etcd.member-recovered sends once when a master's etcd cluster has lost quorum. Wire it up in the Salt
    master's config:
      reactor:
        - 'etcd-snapshotter/etcd/quorum-lost':
          - salt://kubernetes/etcd/reactor/quorum-lost.sls
    Off by default: it then only logs, on the Salt master, which command restores every master. It runs that command,
    the orchestration kubernetes.etcd.cluster-restored with etcd_recovery:restore_pillar (default: the newest EBS
    snapshot), only when etcd_recovery:restore_when_quorum_lost is true in the pillar of the master that reported the
    loss (read here, never taken from the event, which any minion can send) or in the Salt master's own config or
    pillar, and only once a majority of etcd:members' masters reported the loss within
    etcd_recovery:restore_interval_seconds (default 3600). Every master reports the same loss, and members come back
    slowly after a restore: a restore runs at most once per that interval, counted from its start. -#}
{%- set payload = data.data if data.get('data') is mapping else data %}
{%- set lost = 'etcd quorum lost (cluster ' ~ payload.get('cluster', '?') ~ ', reported by ' ~ data.get('id', '?') ~ ')' %}
{%- set restore_pillar = salt['config.get']('etcd_recovery:restore_pillar', {'etcd_restore': {'ebs_snapshot': 'latest'}}) %}
{%- set command = "salt-run state.orchestrate kubernetes.etcd.cluster-restored pillar='" ~ restore_pillar|json ~ "'" %}
{%- set interval = salt['config.get']('etcd_recovery:restore_interval_seconds', 3600)|int %}
{%- set dir = opts['cachedir'] ~ '/etcd-recovery' %}
{%- set now = None|strftime('%s')|int %}
{%- macro age(file) -%}{{ now - (salt['file.stats'](file).get('mtime', 0)|int if salt['file.file_exists'](file) else 0) }}{%- endmacro %}
{%- set marker = dir ~ '/restore-started' %}
{%- set ago = age(marker)|int %}

{#- The minion's id, which the Salt master checked against its key; the pillar is its own, compiled here. -#}
{%- set reporter = data.get('id', '') %}
{%- set reporter_pillar = salt['saltutil.runner']('pillar.show_pillar', arg=[reporter]) if reporter else {} %}
{%- set allowed = salt['config.get']('etcd_recovery:restore_when_quorum_lost', False)|to_bool
      or (reporter_pillar.get('etcd_recovery') or {}).get('restore_when_quorum_lost', False)|to_bool %}
{#- A master cut off from the others sees quorum lost while they run on: restore only once a majority of the masters
    reported the loss within the interval. -#}
{%- set masters = ((reporter_pillar.get('etcd') or {}).get('members') or [reporter])|length %}
{%- set needed = masters // 2 + 1 %}

{%- if not allowed %}
{%-   do salt['log.warning'](lost ~ ': not restoring by itself (etcd_recovery:restore_when_quorum_lost is off); '
        ~ 'bring the members back, or restore every master from the newest snapshot with: ' ~ command) %}
{%- elif ago < interval %}
{%-   do salt['log.warning'](lost ~ ': not restoring again, a restore started ' ~ ago ~ ' s ago (at most one per '
        ~ 'etcd_recovery:restore_interval_seconds, ' ~ interval ~ ' s); see its outcome in the job cache') %}
{%- else %}
{#-   Rendering is serial in the reactor, so these files are what the next report of the same loss finds. -#}
{%-   do salt['file.mkdir'](dir) %}
{%-   do salt['file.touch'](dir ~ '/reported-by-' ~ reporter) %}
{%-   set reporters = [] %}
{%-   for file in salt['file.readdir'](dir) if file.startswith('reported-by-') and age(dir ~ '/' ~ file)|int < interval %}
{%-     do reporters.append(file[12:]) %}
{%-   endfor %}
{%-   if reporters|length < needed %}
{%-     do salt['log.warning'](lost ~ ': waiting for a majority of the ' ~ masters ~ ' masters to report it before '
          ~ 'restoring (' ~ reporters|sort|join(', ') ~ ' did, within ' ~ interval ~ ' s): one cut off from the others '
          ~ 'sees quorum lost while they run on') %}
{%-   else %}
{%-     do salt['file.touch'](marker) %}
{%-     do salt['log.warning'](lost ~ ': restoring every master, as etcd_recovery:restore_when_quorum_lost allows and '
          ~ reporters|sort|join(', ') ~ ' reported: ' ~ command) %}
etcd-restore-when-quorum-lost:
  runner.state.orchestrate:
    - args:
      - mods: kubernetes.etcd.cluster-restored
      - pillar: {{ restore_pillar|json }}
{%-   endif %}
{%- endif %}
