{#- What a whole-cluster restore (the orchestration kubernetes.etcd.cluster-restored) asks every master before it stops
    anything, as lines `KEY VALUE` on the stdout of etcd-restore-source: this master's member name, every member of
    etcd:members, whether something is mounted at etcd_restore:snapshot_dir, where the snapshot comes from (`source ebs`,
    `s3` or `files`) and then either
    - with etcd_restore:ebs_snapshot `latest` or an id: `ebs-snapshot ID`, the snapshot volume-attach would bring back
      (checked to be a completed one of this cluster's; nothing is created or attached), or
    - with etcd_restore:s3:bucket: per cluster, `NAME SHA256` and `NAME-object s3://BUCKET/KEY` of the copy it would
      fetch (its pinned object, or the newest: jar fetch --resolve; nothing is downloaded), or
    - else: per cluster, `NAME SHA256` of its snapshot file in the snapshot dir, or `NAME missing`.
    It stops nothing and restores nothing (from EBS or S3 it installs the jar and JRE of kubernetes.etcd.restore-tools
    first, as kubernetes.etcd.restored would): apply it by hand to see what a restore would use on a master. -#}
{%- from "kubernetes/map.jinja" import etcd, restore with context %}
{%- from "kubernetes/etcd/volume.jinja" import aws_flags, java_jar with context %}
{%- set ebs_snapshot = restore.ebs_snapshot|string|trim %}
{%- set from_ebs = ebs_snapshot not in ['', 'release'] %}
{%- set from_s3 = restore.s3_sources|length > 0 %}
{%- set errors = [] %}
{%- if etcd.errors %}{% do errors.append('etcd pillar: ' ~ etcd.errors|join('; ')) %}{% endif %}
{%- if restore.errors %}{% do errors.append('etcd_restore pillar: ' ~ restore.errors|join('; ')) %}{% endif %}
{%- if ebs_snapshot == 'release' %}
{%-   do errors.append('etcd_restore:ebs_snapshot is release, which only kubernetes.etcd.snapshot-volume takes: set it '
        ~ 'to latest or a snapshot id, or leave it empty to restore from the files in ' ~ restore.snapshot_dir) %}
{%- endif %}

{%- if errors %}
etcd-restore-source:
  test.fail_without_changes:
    - comment: {{ errors|join('; ')|json }}

{%- else %}
{%-   set resolve = ['volume-attach', '--resolve-only', '--snapshot-id', ebs_snapshot] %}
{%-   if restore.allow_other_cluster %}{% do resolve.append('--allow-other-cluster') %}{% endif %}
{%-   for key, value in restore.ebs_snapshot_tags.items() %}{% do resolve.extend(['--tag', key ~ '=' ~ value]) %}{% endfor %}
{%-   if from_ebs or from_s3 %}
include:
  - kubernetes.etcd.restore-tools
{%-   endif %}

etcd-restore-source:
  cmd.run:
    - name: |
        set -euo pipefail
        echo source {{ 'ebs' if from_ebs else 's3' if from_s3 else 'files' }}
        echo member {{ etcd.member_name|quote }}
        echo members {{ etcd.members|map(attribute='name')|join(' ')|quote }}
        if mountpoint -q {{ restore.snapshot_dir|quote }}; then echo mounted yes; else echo mounted no; fi
{%-   if from_ebs %}
        snapshot=$({{ [java_jar(restore), resolve[0], aws_flags(restore), resolve[1:]|map('quote')|join(' ')]|select|join(' ') }})
        echo ebs-snapshot "$snapshot"
{%-   elif from_s3 %}
{%-     set s3_flags = [] %}
{%-     if restore.s3.region %}{% do s3_flags.extend(['--s3-region', restore.s3.region|string]) %}{% endif %}
{%-     if restore.s3.endpoint %}{% do s3_flags.extend(['--s3-endpoint', restore.s3.endpoint|string]) %}{% endif %}
{%-     for name, source in restore.s3_sources.items() %}
        resolved=$({{ java_jar(restore) }} {{ (['fetch', '--resolve', source] + s3_flags)|map('quote')|join(' ') }})
        read -r object sha256 <<< "$resolved"
        echo {{ name }} "$sha256"
        echo {{ name }}-object "$object"
{%-     endfor %}
{%-   else %}
        # openssl's SHA-256 uses the CPU's SHA instructions: several times faster than coreutils' on a file of GiBs,
        # which every master reads here before anything stops. The digest is the same either way.
        sha256() {
          if command -v openssl >/dev/null; then openssl dgst -sha256 -r < "$1"; else sha256sum < "$1"; fi | cut -d' ' -f1
        }
{%-     for name, cluster in etcd.clusters.items() %}
{%-       set file = (restore.snapshot_dir ~ '/' ~ cluster.snapshot_file)|quote %}
        if [ -f {{ file }} ]; then sha=$(sha256 {{ file }}); echo {{ name }} "$sha"; else echo {{ name }} missing; fi
{%-     endfor %}
{%-   endif %}
    - shell: /bin/bash
{%-   if (from_ebs or from_s3) and restore.installs %}
    - require: {{ restore.installs|json }}
{%-   endif %}
{%- endif %}
