{#- Restores etcd main and events on this master from the snapshot files in etcd_restore:snapshot_dir.
    With pillar etcd_restore:ebs_snapshot `latest` or a snapshot id, the same apply first brings that EBS snapshot back
    mounted at the snapshot dir (kubernetes.etcd.snapshot-volume) and, once both clusters are restored and running,
    unmounts, detaches and deletes it; after a failure it stays mounted for the operator to look at.

    Every decision that needs the snapshot files is taken while the states run, not while this file renders, so that
    the files may appear (be mounted) in the same apply:
    - etcd-restore-X-snapshot fails, naming the file, when a snapshot file is missing; nothing else then runs.
    - etcd-restore-X-pending reports a change only when the data dir does not record the snapshot file's sha256 in its
      marker file: the cluster is pending. Everything below runs on that change (onchanges) and nothing else. The
      file's sha256 (written 0600 under Salt's cache dir for the states after it) comes from the one read of the file
      this apply makes: pending's own when the data dir has a marker to compare, else the verify's below.
    - With pillar etcd_restore:to_revision ({CLUSTER: N}) or to_time (one UTC time for all clusters), a cluster is
      restored to that point through its journal on the volume (snapshot_dir/journal/CLUSTER): the jar starts from
      the newest of its snapshot file and generations at or before the point. The point is part of what the marker
      records, and its check is a dry run of that restore in place of the verify below.
    - Per pending cluster: verify every pending snapshot (and that etcd:image's release starts from it) before
      stopping any cluster, move the static pod manifest out of the kubelet's directory, wait until etcd stops listening, move the data dir aside (never deleted), run the
      jar's restore (token from pillar, else <token>-restored-<first 12 hex of the sha256>), record the sha256 in the
      new data dir.
    - etcd-restore-X-start always puts a parked manifest back once its cluster's restore (if any) succeeded, so a
      manifest never stays parked after a good apply.
    A data dir recording the sha256 of its snapshot is left alone, so applying this again changes nothing.
    With pillar etcd_restore:s3:bucket the snapshot files are instead fetched from the S3 copies (each cluster's
    object from etcd_restore:s3:objects, else its newest copy) into etcd_restore:s3:download_dir by the jar's fetch,
    checked against their recorded sha256 (a file already holding the object is kept); the rest runs as above, and
    once both clusters run from their restore the fetched files are deleted. -#}
{%- from "kubernetes/map.jinja" import etcd, restore with context %}
{%- from "kubernetes/etcd/volume.jinja" import released with context %}
{%- set marker = '.etcd-snapshotter-restored-sha256' %}
{#- Serial GC and a small heap: restore streams the snapshot, so memory stays flat in its size. #}
{%- set java_jar = restore.java|quote ~ ' -XX:+UseSerialGC -Xmx128m -jar ' ~ restore.jar|quote %}
{%- set moved_suffix = '.before-restore-' ~ None|strftime('%Y%m%dT%H%M%S') %}
{#- The sha256 of each snapshot file as this apply read it: Salt's own scratch space, not a directory of the operator. #}
{%- set sha256_dir = opts['cachedir'] ~ '/etcd-restore' %}
{%- set ebs_snapshot = restore.ebs_snapshot|string|trim %}
{%- set from_ebs = ebs_snapshot not in ['', 'release'] %}
{%- set from_s3 = restore.s3_sources|length > 0 %}
{%- set snapshot_dir = restore.s3.download_dir if from_s3 else restore.snapshot_dir %}

{%- set errors = [] %}
{%- if etcd.errors %}
{%-   do errors.append('etcd pillar: ' ~ etcd.errors|join('; ')) %}
{%- endif %}
{%- if restore.errors %}
{%-   do errors.append('etcd_restore pillar: ' ~ restore.errors|join('; ')) %}
{%- endif %}
{%- if ebs_snapshot == 'release' %}
{%-   do errors.append('etcd_restore:ebs_snapshot is release, which only kubernetes.etcd.snapshot-volume takes: '
        ~ 'set it to latest or a snapshot id to restore from an EBS snapshot, or leave it empty to restore from the '
        ~ 'files in ' ~ restore.snapshot_dir) %}
{%- endif %}

{%- set snapshots = {} %}
{%- set sha256_files = {} %}
{%- for name, cluster in etcd.clusters.items() %}
{%-   do snapshots.update({name: snapshot_dir ~ '/' ~ cluster.snapshot_file}) %}
{%-   do sha256_files.update({name: sha256_dir ~ '/' ~ name ~ '.sha256'}) %}
{%- endfor %}
{%- set tests = [] %}
{%- for snapshot in snapshots.values() %}{% do tests.append('test -f ' ~ snapshot|quote) %}{% endfor %}
{%- set all_present = tests|join(' && ') %}
{%- set fetched = [] %}
{%- for name in restore.s3_sources %}{% do fetched.append({'cmd': 'etcd-restore-' ~ name ~ '-fetch'}) %}{% endfor %}
{%- set mounted = [{'cmd': 'etcd-snapshot-volume-mounted'}] if from_ebs else fetched %}

include:
  - kubernetes.etcd.restore-tools
{%- if from_ebs and not errors %}
  - kubernetes.etcd.snapshot-volume
{%- endif %}

{%- if errors %}
etcd-restore-snapshots:
  test.fail_without_changes:
    - comment: {{ (errors|join('; ') ~ '; nothing was stopped')|json }}

{%- else %}
{#- test=True mounts nothing, so the files of an EBS snapshot not yet mounted cannot be looked at: say so, and let the
    checks pass instead of reporting files missing that a real apply would mount. #}
{%-   set preview = from_ebs and opts['test'] %}
{%-   if preview %}

etcd-restore-preview:
  test.show_notification:
    - text: {{ ('test=True mounts nothing: EBS snapshot ' ~ ebs_snapshot ~ ' is not mounted at ' ~ restore.snapshot_dir
                ~ ' yet, so which cluster would be restored is known only when applied for real')|json }}
    - onlyif: '! mountpoint -q {{ restore.snapshot_dir|quote }}'
{%-   endif %}
{%-   for name, source in restore.s3_sources.items() %}
{%-     set flags = ['fetch', source, snapshots[name]] %}
{%-     if restore.s3.region %}{% do flags.extend(['--s3-region', restore.s3.region|string]) %}{% endif %}
{%-     if restore.s3.endpoint %}{% do flags.extend(['--s3-endpoint', restore.s3.endpoint|string]) %}{% endif %}

etcd-restore-{{ name }}-fetch:
  cmd.run:
    - name: {{ java_jar }} {{ flags|map('quote')|join(' ') }}
{%-     if restore.installs %}
    - require: {{ restore.installs|json }}
{%-     endif %}
{%-   endfor %}
{%-   for name, snapshot in snapshots.items() %}

etcd-restore-{{ name }}-snapshot:
  test.fail_without_changes:
{%-     if from_s3 %}
    - comment: {{ ('no snapshot file ' ~ snapshot ~ ' fetched from ' ~ restore.s3_sources[name] ~ '; nothing was'
                   ~ ' stopped')|json }}
{%-     elif from_ebs %}
    - comment: {{ ('no snapshot file ' ~ snapshot ~ ' on the volume of EBS snapshot ' ~ ebs_snapshot ~ ' mounted at '
                   ~ restore.snapshot_dir ~ ': the volume stays mounted to look at; release it (kubernetes.etcd.'
                   ~ 'snapshot-volume with etcd_restore:ebs_snapshot release) before bringing another snapshot back; '
                   ~ 'nothing was stopped')|json }}
{%-     else %}
    - comment: {{ ('no snapshot file ' ~ snapshot ~ ': mount the volume restored from the EBS snapshot at '
                   ~ restore.snapshot_dir ~ ' (pillar etcd_restore:snapshot_dir), or set pillar '
                   ~ 'etcd_restore:ebs_snapshot to latest or a snapshot id; nothing was stopped')|json }}
{%-     endif %}
{%-     if from_s3 and opts['test'] %}
    - unless: 'true'
{%-     elif preview %}
    - unless: test -f {{ snapshot|quote }} || ! mountpoint -q {{ restore.snapshot_dir|quote }}
{%-     else %}
    - unless: test -f {{ snapshot|quote }}
{%-     endif %}
{%-     if mounted %}
    - require: {{ mounted|json }}
{%-     endif %}
{%-   endfor %}

{%-   for name, cluster in etcd.clusters.items() %}

{%-     set point = restore.points.get(name, []) %}
{%-     set args = ((['--point', point|join(' ')] if point else []) + [snapshots[name], cluster.data_dir ~ '/' ~ marker])|map('quote')|join(' ') %}
etcd-restore-{{ name }}-pending:
  cmd.script:
    - source: salt://kubernetes/etcd/files/pending.sh
    - name: pending.sh {{ args }} {{ sha256_files[name]|quote }}
    - shell: /bin/bash
    - stateful:
      - test_name: pending.sh {{ args }}
    - onlyif: {{ all_present|json }}
{%-     if mounted %}
    - require: {{ mounted|json }}
{%-     endif %}
{%-   endfor %}

{%-   for name, cluster in etcd.clusters.items() %}

{#- A point in time is checked by building it in full beside the data dir (a dry run): the chain reaching the point
    and every record up to it, as well as the snapshot, before anything stops. #}
{%-     set point = restore.points.get(name, []) %}
{#- Without a point the verify also writes the sha256 the pending state left to it (pending.sh says when). #}
{%-     set check = ['restore', snapshots[name]] + point + ['--dry-run', '--data-dir', cluster.data_dir ~ '.point-check']
          if point else ['verify', snapshots[name], '--sha256-file', sha256_files[name]] %}
etcd-restore-{{ name }}-verify:
  cmd.run:
    - name: {{ java_jar }} {{ check|map('quote')|join(' ') }} --etcd-version {{ etcd.release|quote }}
    - onchanges:
      - cmd: etcd-restore-{{ name }}-pending
{%-     if restore.installs %}
    - require: {{ restore.installs|json }}
{%-     endif %}
{%-   endfor %}

{%-   for name, cluster in etcd.clusters.items() %}
{%-     set sha256_file = sha256_files[name] %}
{%-     set flags = [
          'restore', snapshots[name],
          '--data-dir', cluster.data_dir,
          '--name', etcd.member_name,
          '--initial-cluster', cluster.initial_cluster,
          '--initial-advertise-peer-urls', cluster.peer_url,
          '--etcd-version', etcd.release,
        ] + restore.points.get(name, []) %}
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
    - onchanges:
      - cmd: etcd-restore-{{ name }}-pending
    - require:
{%-     for other in etcd.clusters %}
      - cmd: etcd-restore-{{ other }}-verify
{%-     endfor %}

etcd-restore-{{ name }}-stopped:
  cmd.script:
    - source: salt://kubernetes/etcd/files/wait-closed.sh
    - args: >-
        {{ restore.stop_timeout_seconds|int }} 127.0.0.1:{{ cluster.client_port }}
        {{ etcd.advertise_address }}:{{ cluster.peer_port }}
    - shell: /bin/bash
    - onchanges:
      - cmd: etcd-restore-{{ name }}-pending
    - require:
      - file: etcd-restore-{{ name }}-stop

etcd-restore-{{ name }}-set-aside:
  file.rename:
    - name: {{ cluster.data_dir ~ moved_suffix }}
    - source: {{ cluster.data_dir }}
    - onchanges:
      - cmd: etcd-restore-{{ name }}-pending
    - require:
      - cmd: etcd-restore-{{ name }}-stopped

{#- The token from the sha256 the pending state wrote in this apply (same file, same token on every master). #}
etcd-restore-{{ name }}-restore:
  cmd.run:
    - name: |
        set -euo pipefail
{%-     if restore.cluster_token %}
        token={{ restore.cluster_token|string|quote }}
{%-     else %}
        sha=$(cat {{ sha256_file|quote }})
        [[ $sha =~ ^[0-9a-f]{64}$ ]] || { echo {{ ('no sha256 of ' ~ snapshots[name] ~ ' in ' ~ sha256_file ~ ': apply again')|quote }} >&2; exit 1; }
        token={{ cluster.token|string|quote }}-restored-${sha:0:12}
{%-     endif %}
        exec {{ java_jar }} {{ flags|map('quote')|join(' ') }} --initial-cluster-token "$token"
    - shell: /bin/bash
    - onchanges:
      - cmd: etcd-restore-{{ name }}-pending
    - require:
      - file: etcd-restore-{{ name }}-set-aside

{#- A copy of the file the restore took its token from (a command: under test=True there is no such file). #}
etcd-restore-{{ name }}-record:
  cmd.run:
    - name: install -m 0600 {{ sha256_file|quote }} {{ (cluster.data_dir ~ '/' ~ marker)|quote }}
    - onchanges:
      - cmd: etcd-restore-{{ name }}-pending
    - require:
      - cmd: etcd-restore-{{ name }}-restore
{%-   endfor %}

{#- Also after an apply that failed between restoring and starting: the manifests never stay parked. Not while a
    snapshot file is missing: that apply fails and changes nothing. -#}
{%-   for name, cluster in etcd.clusters.items() %}

etcd-restore-{{ name }}-start:
  file.rename:
    - name: {{ etcd.manifest_dir }}/{{ cluster.manifest }}
    - source: {{ restore.stash_dir }}/{{ cluster.manifest }}
    - force: True
    - onlyif: {{ all_present|json }}
    - require:
      - cmd: etcd-restore-{{ name }}-record
{%-   endfor %}

{#- Only once every snapshot file was there and both clusters run from their restore: after a failure the volume
    stays mounted, or the fetched files stay, and applying again reuses them. -#}
{%-   set after = [] %}
{%-   for name in etcd.clusters %}
{%-     do after.extend([{'test': 'etcd-restore-' ~ name ~ '-snapshot'}, {'file': 'etcd-restore-' ~ name ~ '-start'}]) %}
{%-   endfor %}
{%-   if from_ebs %}
{{ released(restore, after) }}
{%-   endif %}
{#- A fetched copy holds every Secret of its cluster, in the clear unless it was encrypted, and is as large as the
    database: it does not outlive the restore on the master's disk, as a volume brought back is released. Applying
    again fetches it again. -#}
{%-   for name in restore.s3_sources %}

etcd-restore-{{ name }}-fetched-removed:
  file.absent:
    - name: {{ snapshots[name] }}
    - require: {{ after|json }}
{%-   endfor %}
{%- endif %}
