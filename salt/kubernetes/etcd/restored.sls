{#- Restores etcd main and events on this master from the snapshot files in etcd_restore:snapshot_dir.
    Per cluster: verify every snapshot (nothing is stopped if one is missing or bad), move the static pod manifest out
    of the kubelet's directory, wait until etcd stops listening, move the data dir aside (never deleted), run the jar's
    restore, record the snapshot's sha256 in the new data dir, put the manifest back. A cluster whose data dir records
    the sha256 of its snapshot file is already restored and left alone, so applying this again changes nothing. -#}
{%- from "kubernetes/map.jinja" import etcd, restore with context %}
{%- set marker = '.etcd-snapshotter-restored-sha256' %}
{#- Serial GC and a small heap: restore streams the snapshot, so memory stays flat in its size. #}
{%- set java_jar = restore.java|quote ~ ' -XX:+UseSerialGC -Xmx128m -jar ' ~ restore.jar|quote %}
{%- set moved_suffix = '.before-restore-' ~ None|strftime('%Y%m%dT%H%M%S') %}
{%- set missing = [] %}
{%- set pending = {} %}
{%- for name, cluster in etcd.clusters.items() %}
{%-   set snapshot = restore.snapshot_dir ~ '/' ~ cluster.snapshot_file %}
{%-   if not salt['file.file_exists'](snapshot) %}
{%-     do missing.append(snapshot) %}
{%-   else %}
{%-     set sha256 = salt['file.get_hash'](snapshot, 'sha256') %}
{%-     set recorded = salt['file.read'](cluster.data_dir ~ '/' ~ marker)|trim
                       if salt['file.file_exists'](cluster.data_dir ~ '/' ~ marker) else '' %}
{%-     if recorded != sha256 %}
{%-       do pending.update({name: {'snapshot': snapshot, 'sha256': sha256}}) %}
{%-     endif %}
{%-   endif %}
{%- endfor %}

{%- set installs = restore.installs %}
include:
  - kubernetes.etcd.restore-tools

{%- if etcd.errors %}
etcd-restore-snapshots:
  test.fail_without_changes:
    - comment: {{ ('etcd pillar: ' ~ etcd.errors|join('; ') ~ '; nothing was stopped')|json }}

{%- elif missing %}
etcd-restore-snapshots:
  test.fail_without_changes:
    - comment: {{ ('no snapshot file ' ~ missing|join(', ') ~ ': mount the volume restored from the EBS snapshot at '
                   ~ restore.snapshot_dir ~ ' (pillar etcd_restore:snapshot_dir); nothing was stopped')|json }}

{%- elif not pending %}
etcd-restore-snapshots:
  test.succeed_without_changes:
    - comment: every etcd data dir already holds the restore of its snapshot in {{ restore.snapshot_dir }}

{%- else %}
{%-   for name, todo in pending.items() %}
etcd-restore-{{ name }}-verify:
  cmd.run:
    - name: {{ java_jar }} verify {{ todo.snapshot|quote }}
{%-     if installs %}
    - require: {{ installs|json }}
{%-     endif %}
{%-   endfor %}

{%-   for name, todo in pending.items() %}
{%-     set cluster = etcd.clusters[name] %}
{%-     set token = restore.cluster_token or cluster.token ~ '-restored-' ~ todo.sha256[:12] %}
{%-     set flags = [
          '--data-dir', cluster.data_dir,
          '--name', etcd.member_name,
          '--initial-cluster', cluster.initial_cluster,
          '--initial-cluster-token', token,
          '--initial-advertise-peer-urls', cluster.peer_url,
        ] %}
{%-     if restore.bump_revision|int > 0 %}
{%-       do flags.extend(['--bump-revision', restore.bump_revision|int|string]) %}
{%-       if restore.mark_compacted %}{% do flags.append('--mark-compacted') %}{% endif %}
{%-     endif %}

etcd-restore-{{ name }}-stop:
  file.rename:
    - name: {{ restore.stash_dir }}/{{ cluster.manifest }}
    - source: {{ etcd.manifest_dir }}/{{ cluster.manifest }}
    - force: True
    - makedirs: True
    - require:
{%-     for other in pending %}
      - cmd: etcd-restore-{{ other }}-verify
{%-     endfor %}

etcd-restore-{{ name }}-stopped:
  cmd.script:
    - source: salt://kubernetes/etcd/files/wait-closed.sh
    - args: >-
        {{ restore.stop_timeout_seconds|int }} 127.0.0.1:{{ cluster.client_port }}
        {{ etcd.advertise_address }}:{{ cluster.peer_port }}
    - shell: /bin/bash
    - require:
      - file: etcd-restore-{{ name }}-stop

etcd-restore-{{ name }}-set-aside:
  file.rename:
    - name: {{ cluster.data_dir ~ moved_suffix }}
    - source: {{ cluster.data_dir }}
    - require:
      - cmd: etcd-restore-{{ name }}-stopped

etcd-restore-{{ name }}-restore:
  cmd.run:
    - name: {{ java_jar }} restore {{ todo.snapshot|quote }} {{ flags|map('quote')|join(' ') }}
    - require:
      - file: etcd-restore-{{ name }}-set-aside

etcd-restore-{{ name }}-record:
  file.managed:
    - name: {{ cluster.data_dir }}/{{ marker }}
    - contents: {{ todo.sha256 }}
    - mode: '0600'
    - require:
      - cmd: etcd-restore-{{ name }}-restore
    - require_in:
      - file: etcd-restore-{{ name }}-start
{%-   endfor %}
{%- endif %}

{#- Also after an apply that failed between restoring and starting: the manifests never stay parked. -#}
{%- if not missing and not etcd.errors %}
{%-   for name, cluster in etcd.clusters.items() %}

etcd-restore-{{ name }}-start:
  file.rename:
    - name: {{ etcd.manifest_dir }}/{{ cluster.manifest }}
    - source: {{ restore.stash_dir }}/{{ cluster.manifest }}
    - force: True
{%-   endfor %}
{%- endif %}
