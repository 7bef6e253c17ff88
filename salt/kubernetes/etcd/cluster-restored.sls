{#- The restore runbook for every master at once, as an orchestration on the Salt master:
      salt-run state.orchestrate kubernetes.etcd.cluster-restored pillar='{etcd_restore: {ebs_snapshot: latest}}'
    While this file renders, before anything is stopped, it asks the masters (pillar etcd_restore:target, default
    master*, of etcd_restore:target_type, default glob) what a restore would use (kubernetes.etcd.restore-source,
    with the pillar given here over each master's own):
    - with etcd_restore:ebs_snapshot `latest`, one master (the first by minion id) resolves it to a snapshot id, and
      every master then restores that id: a snapshot taken meanwhile cannot split the masters. Every master checks the
      id is a completed snapshot of its cluster; a master with something already mounted at the snapshot dir (left
      by a failed restore) would restore from that instead, so it is refused, named;
    - with etcd_restore:s3:bucket, the first master resolves each cluster's copy (its pinned object, or the newest),
      and every master then fetches those objects (etcd_restore:s3:objects); each checks them and reports its sha256;
    - without, every master must hold both snapshot files with the same sha256; a master that differs is named;
    - every member of etcd:members must answer as one of the targeted minions, all with the same etcd:members.
    Then kubernetes.etcd.restored runs on all masters at once, and only once it succeeded on every one of them,
    kubernetes.running. A refusal or a failure on any master stops before kubernetes.running, saying so.
    Applied on a minion instead of through salt-run it refuses, naming the command. -#}
{%- import_yaml 'kubernetes/defaults.yaml' as defaults %}
{%- set given = salt['pillar.get']('etcd_restore', {}) %}
{%- set target = given.get('target') or defaults.etcd_restore.target %}
{%- set target_type = given.get('target_type') or defaults.etcd_restore.target_type %}
{%- set ebs_snapshot = given.get('ebs_snapshot', '')|string|trim %}
{%- set command = "salt-run state.orchestrate kubernetes.etcd.cluster-restored pillar='{etcd_restore: {...}}'" %}

{#- The pillar each master gets over its own: what this orchestration was given for the restore, with `pinned` (the
    snapshot resolved once) over etcd_restore. -#}
{%- macro pillar_with(pinned) -%}
{%-   set restore = dict(given) %}
{%-   do restore.update(pinned) %}
{%-   set pillar = {'etcd_restore': restore} %}
{%-   if salt['pillar.get']('cluster_name') %}{% do pillar.update({'cluster_name': salt['pillar.get']('cluster_name')}) %}{% endif %}
{{-   pillar|json }}
{%- endmacro %}

{#- kubernetes.etcd.restore-source on `minions` (a list): per minion, {info: {KEY: VALUE}} or {error: why}. -#}
{%- macro ask(minions, pinned) -%}
{%-   set answers = {} %}
{%-   set returns = salt['saltutil.cmd'](minions, 'state.sls', arg=['kubernetes.etcd.restore-source'],
        kwarg={'pillar': pillar_with(pinned)|load_json}, tgt_type='list') %}
{%-   for minion in minions %}
{%-     set ret = returns.get(minion, {}).get('ret') %}
{%-     set states = ret.values()|list if ret is mapping else [] %}
{%-     set source = states|selectattr('__id__', 'equalto', 'etcd-restore-source')|list %}
{%-     set failed = states|rejectattr('result', 'sameas', true)|list %}
{%-     if ret is none %}
{%-       do answers.update({minion: {'error': 'did not answer'}}) %}
{%-     elif not states %}
{%-       do answers.update({minion: {'error': ret|join('; ') if ret is iterable and ret is not string else ret|string}}) %}
{%-     elif failed or not source %}
{%-       set why = [] %}
{%-       for state in failed %}
{%-         do why.append((state.comment ~ ' ' ~ state.get('changes', {}).get('stderr', ''))|trim) %}
{%-       endfor %}
{%-       do answers.update({minion: {'error': why|join('; ') or 'kubernetes.etcd.restore-source ran no etcd-restore-source'}}) %}
{%-     else %}
{%-       set info = {} %}
{%-       for line in source[0].changes.stdout.splitlines() %}
{%-         set pair = line.split(' ', 1) %}
{%-         do info.update({pair[0]: pair[1] if pair|length > 1 else ''}) %}
{%-       endfor %}
{%-       do answers.update({minion: {'info': info}}) %}
{%-     endif %}
{%-   endfor %}
{{-   answers|json }}
{%- endmacro %}

{%- set errors = [] %}
{%- set minions = [] %}
{%- set snapshot = ebs_snapshot %}
{%- set summary = [] %}
{%- if opts.get('__role') != 'master' %}
{%-   do errors.append('kubernetes.etcd.cluster-restored is an orchestration: run it on the Salt master with ' ~ command
        ~ ', or apply kubernetes.etcd.restored on each master') %}
{%- elif ebs_snapshot == 'release' %}
{%-   do errors.append('etcd_restore:ebs_snapshot is release, which only kubernetes.etcd.snapshot-volume takes: set it '
        ~ 'to latest or a snapshot id, or leave it empty to restore from the files already on every master') %}
{%- else %}
{%-   do minions.extend(salt['saltutil.cmd'](target, 'test.ping', tgt_type=target_type).keys()|sort) %}
{%-   if not minions %}
{%-     do errors.append('no minion of ' ~ target_type ~ ' target ' ~ target|json ~ ' answered: set pillar '
          ~ 'etcd_restore:target (and target_type) to the masters') %}
{%-   endif %}
{%- endif %}

{#- The first master resolves what every master then restores: the EBS snapshot latest names, or each cluster's S3
    copy; its answer from files stands as it is (hashing them twice would read every file again). -#}
{%- set pinned = {} %}
{%- set answers = {} %}
{%- set first = (ask([minions[0]], {})|load_json)[minions[0]] if minions and not errors else {} %}
{%- if 'error' in first %}
{%-   do errors.append(minions[0] ~ ': ' ~ first.error) %}
{%- elif first %}
{%-   set source = first.info.source %}
{%-   if source == 'ebs' %}
{%-     set snapshot = first.info['ebs-snapshot'] %}
{%-     do pinned.update({'ebs_snapshot': snapshot}) %}
{%-     do summary.append('EBS snapshot ' ~ (ebs_snapshot ~ ' is ' if ebs_snapshot != snapshot else '') ~ snapshot
          ~ ' (resolved once, on ' ~ minions[0] ~ ')') %}
{%-   elif source == 's3' %}
{%-     set objects = {} %}
{%-     for key, value in first.info|dictsort if key.endswith('-object') %}
{%-       do objects.update({key[:-7]: value.split('/', 3)[3]}) %}
{%-     endfor %}
{%-     do pinned.update({'s3': dict(given.get('s3', {}), objects=objects)}) %}
{%-     do summary.append('S3 copies resolved once, on ' ~ minions[0] ~ ': ' ~ objects|dictsort|map('join', ' ')|join(', ')) %}
{%-   endif %}
{%-   set others = minions if pinned else minions[1:] %}
{%-   do answers.update(ask(others, pinned)|load_json if others else {}) %}
{%-   if not pinned %}{% do answers.update({minions[0]: first}) %}{% endif %}
{%- endif %}
{%- set infos = {} %}
{%- for minion, answer in answers|dictsort %}
{%-   if 'error' in answer %}
{%-     do errors.append(minion ~ ': ' ~ answer.error) %}
{%-   else %}
{%-     do infos.update({minion: answer.info}) %}
{%-   endif %}
{%- endfor %}
{%- set sources = infos.values()|map(attribute='source')|unique|list %}
{%- if sources|length > 1 %}
{%-   for minion, info in infos|dictsort %}
{%-     do errors.append(minion ~ ' restores from ' ~ info.source) %}
{%-   endfor %}
{%-   do errors.append('give every master the same etcd_restore pillar (ebs_snapshot, s3:bucket)') %}
{%- endif %}

{%- if infos and not errors %}
{#-   Every member restores, or none: a member left out would keep the old cluster and never rejoin the new one. -#}
{%-   set members = infos.values()|map(attribute='members')|unique|list %}
{%-   set answered = infos.values()|map(attribute='member')|list %}
{%-   if members|length > 1 %}
{%-     for minion, info in infos|dictsort %}
{%-       do errors.append(minion ~ ' lists etcd:members ' ~ info.members.split()|json) %}
{%-     endfor %}
{%-     do errors.append('give every master the same etcd:members') %}
{%-   else %}
{%-     set missing = members[0].split()|reject('in', answered)|list %}
{%-     if missing %}
{%-       do errors.append('etcd:members lists ' ~ missing|join(', ') ~ ' but no minion of target ' ~ target|json
            ~ ' answered as ' ~ ('it' if missing|length == 1 else 'them') ~ ' (answered: ' ~ answered|join(', ')
            ~ '): every member must be restored at once; start its minion, or set etcd_restore:target') %}
{%-     endif %}
{%-   endif %}

{%-   if sources == ['ebs'] %}
{%-     set mounted = [] %}
{%-     for minion, info in infos|dictsort if info.mounted == 'yes' %}{% do mounted.append(minion) %}{% endfor %}
{%-     if mounted %}
{%-       do errors.append(mounted|join(', ') ~ (' has' if mounted|length == 1 else ' have') ~ ' a volume mounted at '
            ~ 'the snapshot dir already (left by an earlier restore), and would restore from it instead of ' ~ snapshot
            ~ ': release it there (kubernetes.etcd.snapshot-volume with etcd_restore:ebs_snapshot release), then run '
            ~ 'this again') %}
{%-     endif %}
{%-     do summary.append('every master brings back EBS snapshot ' ~ snapshot) %}
{%-   else %}
{%-     set clusters = [] %}
{%-     for info in infos.values() %}
{%-       for key in info if key not in ['source', 'member', 'members', 'mounted'] and not key.endswith('-object') %}
{%-         do clusters.append(key) %}
{%-       endfor %}
{%-     endfor %}
{%-     for cluster in clusters|unique|sort %}
{%-       set by_sha256 = {} %}
{%-       for minion, info in infos|dictsort %}
{%-         do by_sha256.setdefault(info.get(cluster, 'missing'), []).append(minion) %}
{%-       endfor %}
{%-       set most = by_sha256.values()|map('length')|max %}
{%-       set odd = [] %}
{%-       for holders in by_sha256.values() if holders|length < most %}{% do odd.extend(holders) %}{% endfor %}
{%-       if 'missing' in by_sha256 %}
{%-         do errors.append(by_sha256.missing|join(', ') ~ (' has' if by_sha256.missing|length == 1 else ' have')
              ~ ' no snapshot file of cluster ' ~ cluster
              ~ ' in its snapshot dir (etcd_restore:snapshot_dir): put the same files on every master, or restore '
              ~ 'from EBS with etcd_restore:ebs_snapshot') %}
{%-       elif by_sha256|length > 1 %}
{%-         set groups = [] %}
{%-         for sha256, holders in by_sha256|dictsort %}
{%-           do groups.append(holders|join(', ') ~ ' ' ~ ('has' if holders|length == 1 else 'have') ~ ' sha256 ' ~ sha256) %}
{%-         endfor %}
{%-         do errors.append('the snapshot files of cluster ' ~ cluster ~ ' differ between the masters, '
              ~ (odd|sort|join(', ') ~ ' being the odd one' ~ ('' if odd|length == 1 else 's') ~ ': ' if odd else '')
              ~ groups|join('; ') ~ ': put the same files on every master') %}
{%-       else %}
{%-         do summary.append(cluster ~ ' from sha256 ' ~ by_sha256.keys()|first) %}
{%-       endif %}
{%-     endfor %}
{%-   endif %}
{%- endif %}

{%- if errors %}

etcd-cluster-restore-source:
  test.fail_without_changes:
    - comment: {{ (errors|join('; ') ~ '; nothing was stopped and kubernetes.running was not applied')|json }}

{%- else %}

etcd-cluster-restore-source:
  test.succeed_without_changes:
    - comment: {{ ('restoring ' ~ minions|join(', ') ~ ': ' ~ summary|join('; '))|json }}

etcd-cluster-restored:
  salt.state:
    - tgt: {{ minions|json }}
    - tgt_type: list
    - expect_minions: True
    - sls: kubernetes.etcd.restored
    - pillar: {{ pillar_with(pinned) }}
    - require:
      - test: etcd-cluster-restore-source

etcd-cluster-restore-failed:
  test.fail_without_changes:
    - comment: {{ ('kubernetes.etcd.restored failed on at least one master (see etcd-cluster-restored for which and '
                   ~ 'why), so kubernetes.running was not applied: fix it and run ' ~ command ~ ' again with the same '
                   ~ 'pillar' ~ (', pinned to what it resolved (etcd_restore ' ~ pinned|json ~ ')' if pinned else '')
                   ~ '; masters '
                   ~ 'already restored from this snapshot restore nothing')|json }}
    - onfail:
      - salt: etcd-cluster-restored

etcd-cluster-running:
  salt.state:
    - tgt: {{ minions|json }}
    - tgt_type: list
    - expect_minions: True
    - sls: kubernetes.running
    - require:
      - salt: etcd-cluster-restored
{%- endif %}
