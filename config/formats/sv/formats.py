# See config/formats/en/formats.py: times as 16:00 in forms too, without seconds.
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
