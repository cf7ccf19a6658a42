"""Process versions: parse and check the BPMN files, store versions, cache specs."""


def check_shipped_files(bpmn_dir):
    pass
