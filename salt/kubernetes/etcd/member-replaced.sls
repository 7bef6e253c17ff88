{#- Replaces this master's member of each cluster of etcd_replace:clusters (default: all) whose data was lost or went
    bad, with a fresh one that catches up from the other members; a healthy member is left alone.

    - etcd-replace-X-pending runs the jar's `member-replace plan`: unchanged when the member is a healthy voter whose
      data dir still holds its database and WAL; changed when it needs replacing and the other healthy voters are a
      quorum without it; failed, naming why, when they are not (or it is the only healthy member): nothing is stopped.
      Everything below runs on that change (onchanges) and nothing else, so applying this again changes nothing.
    - Per pending cluster: move the static pod manifest out of the kubelet's directory and wait until etcd stops
      listening; remove the member through a healthy other member (`member-replace remove`; refused, and the manifest
      put back, when quorum would be lost); move the data dir aside (never deleted); add the member back as a
      learner (`member-replace add`, which checks that etcd:members is exactly the cluster with it); write the
      manifest with --initial-cluster-state existing into a new data dir that records it (so kubernetes.etcd.configured
      renders the same); and wait until the member is promoted, its raft applied index has reached the leader's and
      its HashKV equals the others' (`member-replace catch-up`).
    After a failure past the removal, applying again starts over: the member is then no member, or a learner, or
    down, and is replaced again.

    One replacement at a time per cluster: the pending step takes a lock in the cluster itself (`plan --lock-ttl`,
    etcd_replace:lock_ttl_seconds) before anything is stopped, refused while another master's replacement holds
    it; catch-up releases it, and a replacement that died leaves it to expire.

    kubernetes.etcd.member-recovered (the schedule of automatic recovery) renders this with `automatic` set: the
    pending step is then one counted look (`member-replace look`), which replaces the member only after
    etcd_recovery:failures successive failing looks, and, once as many looks found quorum lost, fails naming the
    restore to run and sends the Salt event etcd-snapshotter/etcd/quorum-lost. test=True only plans, counting
    nothing and taking no lock. -#}
{%- from "kubernetes/map.jinja" import etcd, restore, replace, recovery with context %}
{%- set automatic = automatic is defined and automatic %}
{%- set java_jar = restore.java|quote ~ ' -XX:+UseSerialGC -Xmx128m -jar ' ~ restore.jar|quote %}
{%- set moved_suffix = '.before-replace-' ~ None|strftime('%Y%m%dT%H%M%S') %}

{%- set errors = [] %}
{%- if etcd.errors %}
{%-   do errors.append('etcd pillar: ' ~ etcd.errors|join('; ')) %}
{%- endif %}
{%- if replace.errors %}
{%-   do errors.append('etcd_replace pillar: ' ~ replace.errors|join('; ')) %}
{%- endif %}
{%- if automatic and recovery.errors %}
{%-   do errors.append('etcd_recovery pillar: ' ~ recovery.errors|join('; ')) %}
{%- endif %}

include:
  - kubernetes.etcd.restore-tools

{%- if errors %}

etcd-replace-members:
  test.fail_without_changes:
    - comment: {{ (errors|join('; ') ~ '; nothing was stopped')|json }}

{%- else %}
{%-   set tls = [] %}
{%-   for flag, path in [('--cacert', replace.tls.ca_file), ('--cert', replace.tls.cert_file),
                         ('--key', replace.tls.key_file)] if path %}
{%-     do tls.extend([flag, path]) %}
{%-   endfor %}
{%-   for name, target in replace.targets.items() %}
{%-     set cluster = etcd.clusters[name] %}
{%-     set step = java_jar ~ ' member-replace ' %}
{%-     set member = ([
          '--cluster', name ~ '=' ~ target.endpoints|join(','),
          '--name', etcd.member_name,
          '--peer-urls', cluster.peer_url,
        ] + tls)|map('quote')|join(' ') %}
{%-     set plan = step ~ 'plan ' ~ member ~ ' --data-dir ' ~ cluster.data_dir|quote %}
{%-     set lock_ttl = ' --lock-ttl ' ~ replace.lock_ttl_seconds ~ 's' %}
{%-     set reported = recovery.record_dir ~ '/' ~ name ~ '.quorum-lost-reported' %}
{%-     if automatic %}
{%-       set pending = '--reported ' ~ reported|quote ~ ' ' ~ step ~ 'look ' ~ member ~ ' --data-dir '
            ~ cluster.data_dir|quote ~ ' --record-dir ' ~ recovery.record_dir|quote ~ ' --failures '
            ~ recovery.failures|int ~ lock_ttl %}
{%-     else %}
{%-       set pending = plan ~ lock_ttl %}
{%-     endif %}

etcd-replace-{{ name }}-pending:
  cmd.script:
    - source: salt://kubernetes/etcd/files/replace-pending.sh
    - name: replace-pending.sh {{ pending }}
    - shell: /bin/bash
    - stateful:
      - test_name: replace-pending.sh {{ plan }}
{%-     if restore.installs %}
    - require: {{ restore.installs|json }}
{%-     endif %}

{%-     if automatic %}

{#- Sent once per loss: at the look that made etcd_recovery:failures in a row (the jar's exit 4). Retried: Salt gives
    the connection to the event bus one second, which a loaded master can miss, and the event is sent only this once. #}
etcd-recovery-{{ name }}-quorum-lost:
  event.send:
    - name: etcd-snapshotter/etcd/quorum-lost
    - data:
        cluster: {{ name }}
        minion: {{ grains['id'] }}
        member: {{ etcd.member_name }}
        restore: kubernetes.etcd.cluster-restored
        restore_when_quorum_lost: {{ recovery.restore_when_quorum_lost|json }}
    - onfail:
      - cmd: etcd-replace-{{ name }}-pending
    - onlyif: test -e {{ reported|quote }}
    - retry:
        attempts: 5
        interval: 2
{%-     endif %}

etcd-replace-{{ name }}-stop:
  file.rename:
    - name: {{ restore.stash_dir }}/{{ cluster.manifest }}
    - source: {{ etcd.manifest_dir }}/{{ cluster.manifest }}
    - force: True
    - makedirs: True
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending

etcd-replace-{{ name }}-stopped:
  cmd.script:
    - source: salt://kubernetes/etcd/files/wait-closed.sh
    - args: >-
        {{ restore.stop_timeout_seconds|int }} 127.0.0.1:{{ cluster.client_port }}
        {{ etcd.advertise_address }}:{{ cluster.peer_port }}
    - shell: /bin/bash
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - file: etcd-replace-{{ name }}-stop

etcd-replace-{{ name }}-remove:
  cmd.run:
    - name: {{ step }}remove {{ member }}
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - cmd: etcd-replace-{{ name }}-stopped

{#- Not removed (refused, or etcd did not stop): the member keeps its data, so its etcd runs on. #}
etcd-replace-{{ name }}-not-removed:
  file.rename:
    - name: {{ etcd.manifest_dir }}/{{ cluster.manifest }}
    - source: {{ restore.stash_dir }}/{{ cluster.manifest }}
    - force: True
    - onfail:
      - cmd: etcd-replace-{{ name }}-remove

etcd-replace-{{ name }}-set-aside:
  file.rename:
    - name: {{ cluster.data_dir ~ moved_suffix }}
    - source: {{ cluster.data_dir }}
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - cmd: etcd-replace-{{ name }}-remove

etcd-replace-{{ name }}-add:
  cmd.run:
    - name: {{ step }}add {{ member }} --initial-cluster {{ cluster.initial_cluster|quote }}
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - file: etcd-replace-{{ name }}-set-aside

etcd-replace-{{ name }}-data-dir:
  file.directory:
    - name: {{ cluster.data_dir }}
    - makedirs: True
    - mode: '0700'
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - cmd: etcd-replace-{{ name }}-add

etcd-replace-{{ name }}-joined:
  file.managed:
    - name: {{ cluster.data_dir }}/{{ etcd.replaced_marker }}
    - contents: {{ ('joined its running cluster with --initial-cluster-state existing (kubernetes.etcd.member-replaced, '
                    ~ None|strftime('%Y-%m-%dT%H:%M:%S') ~ ')')|json }}
    - mode: '0600'
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - file: etcd-replace-{{ name }}-data-dir

{#- The manifest kubernetes.etcd.configured renders for a data dir that records the join, written where the parked one
    waits and moved into the kubelet's directory whole: Salt writes through a temporary file beside its target, which
    a kubelet could start, and the member must never start on its empty data dir with --initial-cluster-state new. -#}
{%-     set joined = dict(cluster, initial_cluster_state='existing') %}
etcd-replace-{{ name }}-manifest:
  file.managed:
    - name: {{ restore.stash_dir }}/{{ cluster.manifest }}
    - source: salt://kubernetes/etcd/files/etcd.manifest
    - template: jinja
    - makedirs: True
    - mode: '0644'
    - context:
        etcd: {{ etcd|json }}
        cluster: {{ joined|json }}
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - file: etcd-replace-{{ name }}-joined

etcd-replace-{{ name }}-start:
  file.rename:
    - name: {{ etcd.manifest_dir }}/{{ cluster.manifest }}
    - source: {{ restore.stash_dir }}/{{ cluster.manifest }}
    - force: True
    - makedirs: True
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - file: etcd-replace-{{ name }}-manifest

etcd-replace-{{ name }}-caught-up:
  cmd.run:
    - name: {{ step }}catch-up {{ member }} --timeout {{ replace.catch_up_timeout_seconds|int }}s
    - onchanges:
      - cmd: etcd-replace-{{ name }}-pending
    - require:
      - file: etcd-replace-{{ name }}-start
{%-   endfor %}
{%- endif %}
